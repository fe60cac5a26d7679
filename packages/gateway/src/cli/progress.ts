/** Reports progress of a long command (export, verification). */
export interface Progress {
  /** `done` items so far, of `total` when known. */
  update(done: number, total?: number): void;
  /** Ends the bar (a final newline), once. */
  finish(): void;
}

/** Where and when a bar may draw. */
export interface ProgressOptions {
  /** `--json` was given: stdout is for the document, and nothing is drawn. */
  json: boolean;
  /** Default `process.stderr`. */
  stream?: { isTTY?: boolean; write(text: string): unknown };
  /** Default `process.env`; a set `CI` silences the bar. */
  env?: Record<string, string | undefined>;
  /** Milliseconds, for the rate and redraw throttle. Default `Date.now`. */
  now?: () => number;
}

const WIDTH = 24;
const SILENT: Progress = { update: () => {}, finish: () => {} };

/**
 * A one-line progress bar on stderr, redrawn in place at most every 100 ms: `label [####....] 42% 420,000/
 * 1,000,000 events 85,000/s`. Drawn only on a TTY, never with `--json`, never when `CI` is set (logs stay
 * clean); otherwise every call is a no-op.
 */
export function progressBar(label: string, options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  if (options.json || !stream.isTTY || (env.CI !== undefined && env.CI !== '')) return SILENT;
  const now = options.now ?? Date.now;
  const started = now();
  let drawnAt = Number.NEGATIVE_INFINITY;
  let finished = false;
  const draw = (done: number, total: number | undefined) => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const rate = Math.round(done / seconds).toLocaleString('en-US');
    const count = `${done.toLocaleString('en-US')}${total === undefined ? '' : `/${total.toLocaleString('en-US')}`}`;
    const share = total ? Math.min(done / total, 1) : undefined;
    const bar =
      share === undefined
        ? ''
        : `[${'#'.repeat(Math.round(share * WIDTH)).padEnd(WIDTH, '.')}] ${Math.floor(share * 100)}% `;
    stream.write(`\r${label} ${bar}${count} ${rate}/s`);
  };
  return {
    update(done, total) {
      if (finished) return;
      const at = now();
      if (at - drawnAt < 100 && done !== total) return;
      drawnAt = at;
      draw(done, total);
    },
    finish() {
      if (finished) return;
      finished = true;
      stream.write('\n');
    },
  };
}
