import { readFileSync } from 'node:fs';
import type { WireOutput } from '@handoff/protocol';
import type { Command } from 'commander';
import { GatewayError } from '../../errors.js';
import { formatMinor } from '../../policy/rules/common.js';
import type { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { callGateway, type RemoteOptions, remoteCommand } from '../remote.js';

/** A caps file: a JSON array of budget caps, or `{ "caps": [...] }`. @throws GatewayError `VALIDATION_FAILED`. */
function readCaps(file: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new GatewayError('VALIDATION_FAILED', `${file} is not valid JSON`, {
      issues: [{ path: '', code: 'INVALID_JSON', message: (error as Error).message }],
    });
  }
  return typeof parsed === 'object' && parsed !== null && 'caps' in parsed ? parsed.caps : parsed;
}

/** One line per cap: its scope and period, then limit, reserved, committed and headroom of its current period. */
function usageLines(caps: WireOutput<'budget.getCaps'>): string {
  if (caps.length === 0) return 'no caps: spending is not limited';
  return caps
    .map((c) => {
      const u = c.usage;
      const money = (m: typeof u.limit) => formatMinor(m.amountMinor, m.currency);
      return `${c.capId} (${c.scope.type} ${c.scope.value}, ${c.period} ${u.periodKey}): limit ${money(u.limit)}, reserved ${money(u.reserved)}, committed ${money(u.committed)}, headroom ${money(u.headroom)}`;
    })
    .join('\n');
}

/**
 * `handoff caps get` (operator, auditor, copilot) shows the tenant's budget caps with their current period's
 * usage (limit, reserved, committed, headroom); `handoff caps set <file>` (operator) replaces them with the caps of
 * a JSON file (an array, or `{ "caps": [...] }`). An empty list removes every cap, so it needs `--force` (the
 * gateway refuses it `BUDGET_CAPS_EMPTY` otherwise). Exit codes: 0 done, 1 refused (`BUDGET_CAP_INVALID`,
 * `BUDGET_CAPS_EMPTY`, `FORBIDDEN`, a file that is not JSON), 2 bad usage, 4 unreachable.
 */
export function registerCaps(caps: Command, io: Io, setExit: (code: ExitCode) => void) {
  remoteCommand(
    caps.command('get').description("the tenant's caps with limit, reserved, committed, headroom"),
  ).action(async (opts: RemoteOptions) =>
    callGateway(io, setExit, opts, (client) => client.budget.getCaps.query(), usageLines),
  );
  remoteCommand(
    caps
      .command('set <file>')
      .description("replace the tenant's caps with those of a JSON file")
      .option('--force', 'allow an empty list (removes every cap)'),
  ).action(async (file: string, opts: RemoteOptions & { force?: boolean }) =>
    callGateway(
      io,
      setExit,
      opts,
      async (client) =>
        client.budget.setCaps.mutate({
          caps: readCaps(file),
          ...(opts.force ? { force: true } : {}),
        }),
      (set) =>
        set.length === 0
          ? 'removed every cap'
          : `set ${set.length} cap(s): ${set.map((c) => c.capId).join(', ')}`,
    ),
  );
}
