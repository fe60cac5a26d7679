import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfigFile } from '../../config/load-config.js';
import { createGatewayRuntime, startGateway } from '../../runtime.js';
import { checkStartup } from '../../startup-checks.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';
import { SHUTDOWN_TIMEOUT_MS, watchSignals, within } from '../shutdown.js';

/**
 * `handoff gateway start --config <file> [--json]`: starts a gateway from a config file and serves until
 * SIGINT or SIGTERM. Prints `{ url, gatewayId, policyVersion }` once it listens (one JSON line with `--json`).
 *
 * Fails fast: every configuration problem `checkStartup` finds (environment variables, key files, adapters, the
 * port) ends the start with exit 3 before the database is created; any later failure closes what was opened.
 * A signal drains (requests under way, sends already made) and exits 0; a drain longer than
 * `SHUTDOWN_TIMEOUT_MS` exits 4.
 */
export function registerGateway(gateway: Command, io: Io, setExit: (code: ExitCode) => void): void {
  gateway
    .command('start')
    .description('start a gateway from handoff.config.json or .yaml')
    .requiredOption('-c, --config <file>', 'configuration file (JSON or YAML)')
    .option('--json', 'print one JSON line when listening')
    .action(async (opts: { config: string; json?: boolean }) => {
      // Logs go to stderr as JSON lines (pino): stdout carries only the listening line.
      const logger = pino({ name: 'handoff-gateway' }, pino.destination({ dest: 2, sync: true }));
      const signals = watchSignals((signal) =>
        logger.warn({ signal }, 'already stopping: the shutdown is bounded'),
      );
      try {
        setExit(
          await run(io, opts.json ?? false, async () => {
            const loaded = loadConfigFile(opts.config);
            logger.level = loaded.config.logLevel ?? 'info';
            await checkStartup(loaded, { listen: true });
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
            const signal = await signals.first;
            logger.info({ signal, timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'stopping: draining');
            if (!(await within(running.stop(), SHUTDOWN_TIMEOUT_MS))) {
              logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'drain timed out: exiting');
              // Whatever did not finish keeps the event loop alive: end the process here.
              process.exit(EXIT.RUNTIME);
            }
            logger.info({}, 'stopped');
            return EXIT.OK;
          }),
        );
      } finally {
        signals.dispose();
      }
    });
}
