import * as hdr from 'hdr-histogram-js';

/** Latency percentiles in milliseconds. */
export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

/**
 * A latency recorder on an HdrHistogram (hdr-histogram-js, as autocannon uses): values are recorded in
 * microseconds with 3 significant digits, and reported in milliseconds.
 */
export class LatencyRecorder {
  readonly #histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records one latency given in milliseconds (e.g. a `performance.now()` difference). */
  record(ms: number): void {
    this.#histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  summary(): Latency {
    const h = this.#histogram;
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
      mean: ms(h.mean),
      count: h.totalCount,
    };
  }
}

/** `value / baseline`, rounded to 3 decimals (0 when the baseline is 0). */
export function ratio(value: number, baseline: number): number {
  return baseline === 0 ? 0 : Math.round((value / baseline) * 1000) / 1000;
}

/** Operations per second of `count` operations over `ms` milliseconds, rounded. */
export function perSecond(count: number, ms: number): number {
  return ms <= 0 ? 0 : Math.round((count * 1000) / ms);
}

/** Resident set size of this process, in MiB. */
export function rssMiB(): number {
  return Math.round((process.memoryUsage().rss / 1_048_576) * 10) / 10;
}
