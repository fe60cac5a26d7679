import { CONTROL_SCOPES, type ControlScope, type WireOutput } from '@handoff/protocol';
import { type Command, InvalidArgumentError } from 'commander';
import type { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { callGateway, type RemoteOptions, remoteCommand } from '../remote.js';

/** Commander parser of a kill switch scope type; anything else is a usage error (exit 2). */
function scopeType(value: string): ControlScope {
  if ((CONTROL_SCOPES as readonly string[]).includes(value)) return value as ControlScope;
  throw new InvalidArgumentError(`Unknown scope ${value}; use ${CONTROL_SCOPES.join(', ')}`);
}

type PlanViews = WireOutput<'control.pause'>;

function plansLine(verb: string, plans: PlanViews): string {
  if (plans.length === 0) return `${verb} no plan`;
  return [`${verb} ${plans.length} plan(s)`, ...plans.map((p) => `  ${p.planId} ${p.state}`)].join(
    '\n',
  );
}

function controlLines(controls: WireOutput<'control.list'>): string {
  if (controls.length === 0) return 'no pause in force';
  return controls
    .flatMap((c) => [
      `${c.scopeType}:${c.scopeValue} paused by ${c.pausedBy} at ${new Date(c.pausedAt).toISOString()}: ${c.reason}`,
      c.holding.length === 0
        ? '  holds no plan'
        : `  holds ${c.holding.length} plan(s): ${c.holding.map((h) => `${h.planId} (from ${h.pausedFrom})`).join(', ')}`,
    ])
    .join('\n');
}

/**
 * `handoff control pause <scope> <value> --reason TEXT`, `handoff control resume <scope> <value>` (operator) and
 * `handoff control list` (operator, auditor): the kill switch of a running gateway (`control.pause`,
 * `control.resume`, `control.list`). Scopes: tenant, workflow, channel, adapter, copilot_model. Exit codes: 0
 * done, 1 refused (e.g. `NOT_FOUND` resuming a scope not paused, `FORBIDDEN`), 2 bad usage, 4 unreachable.
 */
export function registerControl(control: Command, io: Io, setExit: (code: ExitCode) => void) {
  remoteCommand(
    control
      .command('pause')
      .description('pause a scope: its plans stop where they are')
      .argument('<scope>', CONTROL_SCOPES.join(' | '), scopeType)
      .argument(
        '<value>',
        'what to pause: a tenant, workflow or adapter id, a channel, vendor/model@version',
      )
      .requiredOption('--reason <text>', 'why (recorded in the lineage)'),
  ).action(async (scope: ControlScope, value: string, opts: RemoteOptions & { reason: string }) =>
    callGateway(
      io,
      setExit,
      opts,
      (client) =>
        client.control.pause.mutate({
          scopeType: scope,
          scopeValue: value,
          reason: opts.reason,
        }),
      (plans) => plansLine(`paused ${scope}:${value}:`, plans),
    ),
  );
  remoteCommand(
    control
      .command('resume')
      .description('lift a pause: its plans go back to where they were')
      .argument('<scope>', CONTROL_SCOPES.join(' | '), scopeType)
      .argument('<value>', 'the paused value'),
  ).action(async (scope: ControlScope, value: string, opts: RemoteOptions) =>
    callGateway(
      io,
      setExit,
      opts,
      (client) => client.control.resume.mutate({ scopeType: scope, scopeValue: value }),
      (plans) => plansLine(`resumed ${scope}:${value}:`, plans),
    ),
  );
  remoteCommand(
    control.command('list').description('the pauses in force and the plans each holds'),
  ).action(async (opts: RemoteOptions) =>
    callGateway(io, setExit, opts, (client) => client.control.list.query(), controlLines),
  );
}
