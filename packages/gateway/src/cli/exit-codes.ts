/**
 * Exit codes of the `handoff` CLI, stable for scripts:
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success (a valid plan; a dry run that does not deny; a command that did what it says; `gateway start` stopped by SIGTERM/SIGINT after a complete drain) |
 * | 1 | the input was checked and refused (invalid plan, policy denial, a refused approval or submission) |
 * | 2 | usage error (unknown command or option, missing argument, an option value of the wrong form) |
 * | 3 | configuration error (`handoff.config.*`, a key file, an adapter's environment variable, the port in use: `gateway start` creates no database then; a configured approver that disagrees with the registry, `APPROVER_REGISTRY_CONFLICT`) |
 * | 4 | runtime error (the gateway is unreachable, I/O failed, an unexpected error, a `gateway start` drain past `SHUTDOWN_TIMEOUT_MS`) |
 * | 5 | `gateway start`: another gateway holds the database file (`DATABASE_IN_USE`; the message names it) |
 *
 * An error answered by a running gateway (a tRPC client error carrying an `ErrorEnvelope`) counts as a refusal
 * (1), unless the gateway itself failed (`INTERNAL`, `CONFIG_INVALID`, `KEY_SOURCE_UNAVAILABLE`: 4); see
 * `exitCodeOf` (run-command.ts). This module imports nothing, so `--help` stays light.
 */
export const EXIT = { OK: 0, REFUSED: 1, USAGE: 2, CONFIG: 3, RUNTIME: 4, IN_USE: 5 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
