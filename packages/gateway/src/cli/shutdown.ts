/**
 * How long `handoff gateway start` lets a graceful shutdown (after SIGTERM or SIGINT) take: requests under way
 * finish and sends already made are answered and recorded within it, else the process exits 4 (`EXIT.RUNTIME`).
 */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** The shutdown signals a gateway process handles. */
export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

/** Watches SIGTERM and SIGINT from creation until {@link SignalWatch.dispose}. */
export interface SignalWatch {
  /** Resolves with the first signal received (at once if one came during start-up). */
  readonly first: Promise<ShutdownSignal>;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Handles SIGTERM and SIGINT from now on, so neither kills the process with Node's default (exit 130 or 143):
 * the first starts the graceful shutdown; later ones are told to `onRepeat` and otherwise ignored (the shutdown
 * is bounded by {@link SHUTDOWN_TIMEOUT_MS}, not by pressing Ctrl-C again).
 */
export function watchSignals(
  onRepeat: (signal: ShutdownSignal) => void = () => undefined,
): SignalWatch {
  let received: ShutdownSignal | undefined;
  let resolveFirst: (signal: ShutdownSignal) => void = () => undefined;
  const first = new Promise<ShutdownSignal>((resolve) => {
    resolveFirst = resolve;
  });
  const handler = (signal: ShutdownSignal) => {
    if (received !== undefined) return onRepeat(signal);
    received = signal;
    resolveFirst(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    first,
    dispose: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}

/** Whether `work` settles within `ms` milliseconds (its rejection is rethrown); the timer never outlives it. */
export async function within(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
