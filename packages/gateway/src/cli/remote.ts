import type { Command } from 'commander';
import { gatewayClient } from './client.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { printResult } from './output.js';
import { run, type SetExit } from './run-command.js';

/** The options of every command that talks to a running gateway. */
export interface RemoteOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

/** Adds `--url` (required), `--api-key` (default `$HANDOFF_API_KEY`, never printed) and `--json` to `command`. */
export function remoteCommand(command: Command): Command {
  return command
    .requiredOption('--url <url>', 'gateway URL')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option('--json', 'print JSON');
}

/**
 * Runs one call to the gateway for a command: `call` with a typed client, then prints its answer (`--json`: the
 * answer itself; else `text(answer)`) and exits 0; a refusal prints its code and exits 1, an unreachable gateway 4
 * (see `run`).
 */
export async function callGateway<T>(
  io: Io,
  setExit: SetExit,
  opts: RemoteOptions,
  call: (client: ReturnType<typeof gatewayClient>) => Promise<T>,
  text: (answer: T) => string,
): Promise<void> {
  const json = opts.json ?? false;
  setExit(
    await run(io, json, async () => {
      const answer = await call(gatewayClient(opts.url, opts.apiKey));
      printResult(io, json, answer, () => text(answer));
      return EXIT.OK;
    }),
  );
}
