import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfigFile } from '../../config/load-config.js';
import { createGatewayRuntime, startGateway } from '../../runtime.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';

/**
 * `handoff gateway start --config <file> [--json]`: starts a gateway from a config file and serves until
 * SIGINT or SIGTERM. Prints `{ url, gatewayId, policyVersion }` once it listens (one JSON line with `--json`).
 */
export function registerGateway(gateway: Command, io: Io, setExit: (code: ExitCode) => void): void {
  gateway
    .command('start')
    .description('start a gateway from handoff.config.json or .yaml')
    .requiredOption('-c, --config <file>', 'configuration file (JSON or YAML)')
    .option('--json', 'print one JSON line when listening')
    .action(async (opts: { config: string; json?: boolean }) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          // Logs go to stderr as JSON lines (pino): stdout carries only the listening line.
          const loaded = loadConfigFile(opts.config);
          const level = loaded.config.logLevel ?? 'info';
          const logger = pino({ name: 'handoff-gateway', level }, pino.destination(2));
          const runtime = await createGatewayRuntime(loaded, { logger });
          const running = await startGateway(runtime, { logger });
          const info = {
            url: running.server.url,
            gatewayId: runtime.loaded.config.gatewayId,
            policyVersion: runtime.gateway.deps.policy.version,
          };
          if (opts.json) io.out(JSON.stringify(info));
          else
            printResult(
              io,
              false,
              info,
              () => `handoff gateway ${info.gatewayId} listening on ${info.url}`,
            );
          logger.info({ url: info.url, gatewayId: info.gatewayId }, 'listening');
          await new Promise<void>((resolve) => {
            const stop = () => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
          logger.info({}, 'stopping');
          await running.stop();
          logger.info({}, 'stopped');
          return EXIT.OK;
        }),
      );
    });
}
