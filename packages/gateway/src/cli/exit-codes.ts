import { GatewayError } from '../errors.js';

/**
 * Exit codes of the `handoff` CLI, stable for scripts:
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success (a valid plan; a dry run that does not deny; a command that did what it says) |
 * | 1 | the input was checked and refused (invalid plan, policy denial, a refused approval or submission) |
 * | 2 | usage error (unknown command or option, missing argument, an option value of the wrong form) |
 * | 3 | configuration error (`handoff.config.*` or a key file unreadable or invalid) |
 * | 4 | runtime error (the gateway is unreachable, I/O failed, an unexpected error) |
 * | 5 | `gateway start`: another gateway holds the database file (`DATABASE_IN_USE`; the message names it) |
 *
 * An error answered by a running gateway (a tRPC client error carrying an `ErrorEnvelope`) counts as a refusal
 * (1), unless the gateway itself failed (`INTERNAL`, `CONFIG_INVALID`, `KEY_SOURCE_UNAVAILABLE`: 4).
 */
export const EXIT = { OK: 0, REFUSED: 1, USAGE: 2, CONFIG: 3, RUNTIME: 4, IN_USE: 5 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const SERVER_FAILURES: readonly string[] = ['INTERNAL', 'CONFIG_INVALID', 'KEY_SOURCE_UNAVAILABLE'];

/** The envelope code of an error answered by a gateway over HTTP (`error.data.handoff.code`), if any. */
function remoteCodeOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('data' in error)) return undefined;
  const code = (error as { data?: { handoff?: { code?: unknown } } }).data?.handoff?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The exit code of an error a command ended with. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof GatewayError) {
    if (error.code === 'CONFIG_INVALID') return EXIT.CONFIG;
    if (error.code === 'DATABASE_IN_USE') return EXIT.IN_USE;
    if (error.code === 'INTERNAL' || error.code === 'KEY_SOURCE_UNAVAILABLE') return EXIT.RUNTIME;
    return EXIT.REFUSED;
  }
  const remote = remoteCodeOf(error);
  if (remote !== undefined) return SERVER_FAILURES.includes(remote) ? EXIT.RUNTIME : EXIT.REFUSED;
  return EXIT.RUNTIME;
}
