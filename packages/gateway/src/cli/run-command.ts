import { GatewayError } from '../errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Io } from './io.js';
import { printError } from './output.js';

/** What each command returns: its exit code (see `EXIT`). */
export type CommandResult = Promise<ExitCode>;

/** Where a command's action stores its exit code. */
export type SetExit = (code: ExitCode) => void;

const SERVER_FAILURES: readonly string[] = ['INTERNAL', 'CONFIG_INVALID', 'KEY_SOURCE_UNAVAILABLE'];

/** The envelope code of an error answered by a gateway over HTTP (`error.data.handoff.code`), if any. */
function remoteCodeOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('data' in error)) return undefined;
  const code = (error as { data?: { handoff?: { code?: unknown } } }).data?.handoff?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The exit code of an error a command ended with (the table of `EXIT`). */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof GatewayError) {
    // A local APPROVER_REGISTRY_CONFLICT comes from `gateway start` only: its config disagrees with the registry.
    if (error.code === 'CONFIG_INVALID' || error.code === 'APPROVER_REGISTRY_CONFLICT') {
      return EXIT.CONFIG;
    }
    if (error.code === 'DATABASE_IN_USE') return EXIT.IN_USE;
    if (error.code === 'INTERNAL' || error.code === 'KEY_SOURCE_UNAVAILABLE') return EXIT.RUNTIME;
    return EXIT.REFUSED;
  }
  const remote = remoteCodeOf(error);
  if (remote !== undefined) return SERVER_FAILURES.includes(remote) ? EXIT.RUNTIME : EXIT.REFUSED;
  return EXIT.RUNTIME;
}

/** Runs a command body, turning an error into its printed form and exit code. */
export async function run(io: Io, json: boolean, body: () => CommandResult): CommandResult {
  try {
    return await body();
  } catch (error) {
    printError(io, json, error);
    return exitCodeOf(error);
  }
}
