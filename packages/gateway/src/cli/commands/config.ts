import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load-config.js';
import { checkStartup } from '../../startup-checks.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';

/**
 * `handoff config validate --config <file> [--json]`: runs the checks `handoff gateway start` runs before it
 * serves (the schema, the policy file, adapters and their environment variables, key files, the checkpoint key,
 * the port), without opening the database or serving. Exit 0 with `{ ok: true, gatewayId }`; exit 3
 * (`CONFIG_INVALID`) with every problem at its JSON path.
 */
export function registerConfig(config: Command, io: Io, setExit: (code: ExitCode) => void): void {
  config
    .command('validate')
    .description('check a config as gateway start would, without starting')
    .requiredOption('-c, --config <file>', 'configuration file (JSON or YAML)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const loaded = loadConfigFile(opts.config);
          await checkStartup(loaded, { listen: true });
          const result = { ok: true, gatewayId: loaded.config.gatewayId };
          printResult(
            io,
            opts.json ?? false,
            result,
            () => `config ${opts.config} is valid (gateway ${result.gatewayId})`,
          );
          return EXIT.OK;
        }),
      );
    });
}
