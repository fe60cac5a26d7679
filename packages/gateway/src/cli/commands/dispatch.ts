import type { Command } from 'commander';
import type { DispatchResolution } from '../../dispatch/dead-letters.js';
import { OUTBOX_STATUSES, type OutboxRow, type OutboxStatus } from '../../store/store.js';
import { gatewayClient } from '../client.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { enumList, positiveInt } from '../options.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';

interface RemoteOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

function rowLine(
  row: Pick<OutboxRow, 'idempotencyKey' | 'planId' | 'actionIndex' | 'adapter'> & {
    status: string;
    attempts: number;
    lastError: string | null;
  },
): string {
  const error = row.lastError ? ` ${row.lastError}` : '';
  return `${row.idempotencyKey} ${row.status} plan ${row.planId} action ${row.actionIndex} (${row.adapter}), ${row.attempts} attempt(s)${error}`;
}

/**
 * `handoff dispatch list [--plan ID] [--status dead,in_doubt]` shows outbox rows (operator, auditor), and
 * `handoff dispatch retry|abandon|confirm <idempotencyKey> --reason TEXT` resolves a dead letter or an in-doubt
 * row (operator). Exit codes: 0 done, 1 refused by the gateway (e.g. `SCOPE_PAUSED`, `PLAN_EXPIRED`,
 * `DISPATCH_STATE_CONFLICT`), 2 a bad option, 4 gateway unreachable (see `EXIT`).
 */
export function registerDispatch(
  dispatch: Command,
  io: Io,
  setExit: (code: ExitCode) => void,
): void {
  dispatch
    .command('list')
    .description('list outbox rows: one plan, or by status (default: dead,in_doubt)')
    .requiredOption('--url <url>', 'gateway URL')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option('--plan <planId>', "one plan's rows")
    .option('--status <list>', 'comma-separated statuses', enumList(OUTBOX_STATUSES, 'status'))
    .option('--limit <n>', 'at most n rows (default 100)', positiveInt)
    .option('--json', 'print JSON')
    .action(
      async (opts: RemoteOptions & { plan?: string; status?: OutboxStatus[]; limit?: number }) => {
        setExit(
          await run(io, opts.json ?? false, async () => {
            const rows = await gatewayClient(opts.url, opts.apiKey).dispatch.list.query({
              ...(opts.plan ? { planId: opts.plan } : {}),
              ...(opts.status ? { statuses: opts.status } : {}),
              ...(opts.limit ? { limit: opts.limit } : {}),
            });
            printResult(io, opts.json ?? false, rows, () =>
              rows.length === 0 ? 'no dispatches' : rows.map(rowLine).join('\n'),
            );
            return EXIT.OK;
          }),
        );
      },
    );
  const resolutions: [DispatchResolution, string][] = [
    ['retry', 're-send a dead letter (or an in-doubt row the platform did not apply)'],
    ['abandon', 'give up a dead letter or an in-doubt row'],
    ['confirm', 'record an in-doubt row as applied at the platform'],
  ];
  for (const [resolution, description] of resolutions) {
    dispatch
      .command(`${resolution} <idempotencyKey>`)
      .description(description)
      .requiredOption('--url <url>', 'gateway URL')
      .requiredOption('--reason <text>', 'why (recorded in the lineage)')
      .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
      .option('--json', 'print JSON')
      .action(async (idempotencyKey: string, opts: RemoteOptions & { reason: string }) => {
        setExit(
          await run(io, opts.json ?? false, async () => {
            const row = await gatewayClient(opts.url, opts.apiKey).dispatch[resolution].mutate({
              idempotencyKey,
              reason: opts.reason,
            });
            printResult(io, opts.json ?? false, row, () => rowLine(row));
            return EXIT.OK;
          }),
        );
      });
  }
}
