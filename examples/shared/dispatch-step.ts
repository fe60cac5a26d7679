/**
 * Drives the gateway's outbox dispatcher to the end of a story: `runDue()` executes every due action once; while
 * rows wait for a retry (a platform's 429 and its Retry-After, persisted as the row's `nextAttemptAt`), the story
 * clock skips to the earliest one instead of sleeping, and runs again.
 */
import type { GatewayRuntime } from '@handoff/gateway';
import type { LineageEvent } from '@handoff/protocol';
import type { SkipClock } from './skip-clock.js';

/** What one `runDue()` pass did (the dispatcher's `DispatchRunSummary`). */
export type DispatchPass = Awaited<ReturnType<GatewayRuntime['dispatcher']['runDue']>>;

/** Every pass, and how far the clock skipped to reach the retries (milliseconds). */
export interface DispatchRun {
  passes: DispatchPass[];
  skippedMs: number;
  /** Rows still pending after the last pass (0 when the outbox drained). */
  leftPending: number;
}

async function pendingRows(runtime: GatewayRuntime) {
  return runtime.store.transaction((tx) => tx.outboxByStatus(['pending', 'in_flight'], 10_000));
}

/**
 * Runs the dispatcher until no row is pending, skipping the clock to each next due time, at most `maxPasses`
 * passes (default 10).
 */
export async function dispatchUntilDrained(
  runtime: GatewayRuntime,
  clock: SkipClock,
  maxPasses = 10,
): Promise<DispatchRun> {
  const passes: DispatchPass[] = [];
  let skippedMs = 0;
  for (let pass = 0; pass < maxPasses; pass += 1) {
    passes.push(await runtime.dispatcher.runDue());
    const pending = await pendingRows(runtime);
    if (pending.length === 0) return { passes, skippedMs, leftPending: 0 };
    const next = Math.min(...pending.map((row) => row.nextAttemptAt));
    const wait = Math.max(0, next - clock.now());
    clock.skip(wait);
    skippedMs += wait;
  }
  return { passes, skippedMs, leftPending: (await pendingRows(runtime)).length };
}

/** Adds up the passes' summaries. */
export function totalOf(passes: readonly DispatchPass[]): DispatchPass {
  const total = { ...passes[0] } as DispatchPass;
  for (const key of Object.keys(total) as (keyof DispatchPass)[]) {
    total[key] = passes.reduce((sum, p) => sum + p[key], 0);
  }
  return total;
}

/** One retry as the lineage records it: the failure, the delay the gateway chose, and when it really retried. */
export interface RecordedRetry {
  planId: string | undefined;
  idempotencyKey: string;
  adapter: string;
  code: string;
  platformStatus: number | undefined;
  /** What the platform asked for (Retry-After), in ms, when it said. */
  retryAfterMs: number | undefined;
  /** The delay the gateway scheduled, in ms. */
  delayMs: number;
  /** Time from the failure to the next attempt, by the gateway's clock, in ms (undefined: never retried). */
  retriedAfterMs: number | undefined;
}

/** Finds every scheduled retry in `events` and the attempt that followed it. */
export function recordedRetries(events: readonly LineageEvent[]): RecordedRetry[] {
  const keyOf = (e: LineageEvent) => String(e.data.idempotencyKey);
  return events
    .filter((e) => e.type === 'dispatch.retry_scheduled')
    .map((scheduled) => {
      const failed = events.find(
        (e) =>
          e.type === 'dispatch.failed' && e.seq < scheduled.seq && keyOf(e) === keyOf(scheduled),
      );
      const next = events.find(
        (e) =>
          e.type === 'dispatch.attempted' && e.seq > scheduled.seq && keyOf(e) === keyOf(scheduled),
      );
      const at = (e: LineageEvent) => Date.parse(e.occurredAt);
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      return {
        planId: scheduled.planId,
        idempotencyKey: keyOf(scheduled),
        adapter: String(scheduled.data.adapter),
        code: String(scheduled.data.code),
        platformStatus: num(failed?.data.platformStatus),
        retryAfterMs: num(failed?.data.retryAfterMs),
        delayMs: Number(scheduled.data.delayMs),
        retriedAfterMs: next ? at(next) - at(scheduled) : undefined,
      };
    });
}
