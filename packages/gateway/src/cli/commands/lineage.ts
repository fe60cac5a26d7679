import { LINEAGE_EVENT_TYPES, type LineageEvent, type LineageEventType } from '@handoff/protocol';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { LineageTrace, TraceTarget } from '../../audit/lineage-trace.js';
import { traceInStore } from '../../audit/trace-in-store.js';
import { renderTrace } from '../../audit/trace-report.js';
import { GatewayError } from '../../errors.js';
import { nextLineageCursor } from '../../store/lineage-cursor.js';
import { openStoreReadOnly } from '../../store/open-read-only.js';
import { gatewayClient } from '../client.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { positiveInt } from '../options.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';
import { registerLineageAudit } from './lineage-audit.js';

type SetExit = (code: ExitCode) => void;

function eventType(value: string, previous: LineageEventType[] = []): LineageEventType[] {
  if (!(LINEAGE_EVENT_TYPES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Expected one of ${LINEAGE_EVENT_TYPES.join(', ')}.`);
  }
  return [...previous, value as LineageEventType];
}

function isoTime(value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('Expected an ISO 8601 time.');
  return new Date(value).toISOString();
}

/** Exactly one of `--url` (a running gateway) and `--db` (a database file, offline). */
function sourceOf(opts: { url?: string; db?: string }): 'url' | 'db' {
  if ((opts.url === undefined) === (opts.db === undefined)) {
    throw new GatewayError('VALIDATION_FAILED', 'Give exactly one of --url and --db', {
      issues: [{ path: '', code: 'ONE_SOURCE', message: 'Use --url or --db' }],
    });
  }
  return opts.url !== undefined ? 'url' : 'db';
}

function eventLine(e: LineageEvent): string {
  return `${e.seq} ${e.occurredAt} ${e.type} ${e.actor.type}:${e.actor.id}${e.planId ? ` plan ${e.planId}` : ''}`;
}

interface QueryOptions {
  url?: string;
  apiKey?: string;
  db?: string;
  tenant?: string;
  plan?: string;
  workflow?: string;
  adapter?: string;
  actor?: string;
  actorType?: LineageEvent['actor']['type'];
  type?: LineageEventType[];
  from?: string;
  to?: string;
  after?: string;
  limit: number;
  json?: boolean;
}

function registerQuery(lineage: Command, io: Io, setExit: SetExit): void {
  lineage
    .command('query')
    .description('list lineage events in seq order, one page at a time (auditor or operator)')
    .option('--url <url>', 'a running gateway')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option(
      '--db <file>',
      'a gateway database, read offline (read-only): a SQLite file or a postgres:// URL',
    )
    .option(
      '--tenant <tenantId>',
      'with --db: only this tenant (a gateway answers for your tenant)',
    )
    .option('--plan <planId>', 'only events of this plan')
    .option('--workflow <workflowId>', 'only events of plans of this workflow')
    .option('--adapter <adapter>', 'only events of plans acting on this adapter')
    .option('--actor <id>', 'only events caused by this actor id')
    .addOption(
      new Option('--actor-type <type>', 'only events of this actor type').choices([
        'copilot',
        'approver',
        'operator',
        'auditor',
        'system',
        'adapter',
      ]),
    )
    .option('--type <type>', 'only events of this type (repeatable)', eventType)
    .option('--from <time>', 'only events at or after this ISO 8601 time', isoTime)
    .option('--to <time>', 'only events at or before this ISO 8601 time', isoTime)
    .option(
      '--after <seq>',
      'the cursor: only events after this position (printed as `more: --after N`)',
    )
    .option('--limit <n>', 'events per page (1-500)', positiveInt, 100)
    .option('--json', 'print JSON')
    .action(async (opts: QueryOptions) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const filter = {
            ...(opts.plan ? { planId: opts.plan } : {}),
            ...(opts.workflow ? { workflowId: opts.workflow } : {}),
            ...(opts.adapter ? { adapter: opts.adapter } : {}),
            ...(opts.actor ? { actorId: opts.actor } : {}),
            ...(opts.actorType ? { actorType: opts.actorType } : {}),
            ...(opts.type ? { types: opts.type } : {}),
          };
          const limit = Math.min(opts.limit, 500);
          let page: { items: LineageEvent[]; nextCursor?: string | undefined };
          if (sourceOf(opts) === 'url') {
            page = await gatewayClient(opts.url ?? '', opts.apiKey).lineage.query.query({
              ...filter,
              ...(opts.from ? { from: opts.from } : {}),
              ...(opts.to ? { to: opts.to } : {}),
              ...(opts.after ? { cursor: opts.after } : {}),
              limit,
            });
          } else {
            const store = await openStoreReadOnly(opts.db ?? '');
            try {
              const rows = await store.queryLineageAt({
                ...filter,
                ...(opts.tenant ? { tenantId: opts.tenant } : {}),
                ...(opts.from ? { fromMs: Date.parse(opts.from) } : {}),
                ...(opts.to ? { toMs: Date.parse(opts.to) } : {}),
                ...(opts.after ? { after: Number(opts.after) } : {}),
                limit: limit + 1,
              });
              const next = nextLineageCursor(
                rows,
                limit,
                opts.after ? Number(opts.after) : undefined,
              );
              page = {
                items: rows.slice(0, limit).map((row) => row.event),
                nextCursor: next === undefined ? undefined : String(next),
              };
            } finally {
              await store.close();
            }
          }
          printResult(io, opts.json ?? false, page, () =>
            [
              ...page.items.map(eventLine),
              ...(page.nextCursor ? [`more: --after ${page.nextCursor}`] : []),
            ].join('\n'),
          );
          return EXIT.OK;
        }),
      );
    });
}

interface TraceOptions {
  url?: string;
  apiKey?: string;
  db?: string;
  tenant?: string;
  plan?: string;
  idempotencyKey?: string;
  action?: string;
  json?: boolean;
}

function traceTarget(opts: TraceOptions): TraceTarget {
  if (opts.action !== undefined && opts.idempotencyKey === undefined) {
    return { actionId: opts.action, ...(opts.plan ? { planId: opts.plan } : {}) };
  }
  if (opts.idempotencyKey !== undefined && opts.plan === undefined && opts.action === undefined) {
    return { idempotencyKey: opts.idempotencyKey };
  }
  if (opts.plan !== undefined && opts.idempotencyKey === undefined) return { planId: opts.plan };
  throw new GatewayError(
    'VALIDATION_FAILED',
    'Give --plan, --idempotency-key or --action (--plan)',
    {
      issues: [{ path: '', code: 'ONE_TARGET', message: 'Name exactly one thing to trace' }],
    },
  );
}

function registerTrace(lineage: Command, io: Io, setExit: SetExit): void {
  lineage
    .command('trace')
    .description(
      'the chain behind a plan, a dispatch or an action: data, copilot, policy, money, approvals',
    )
    .option('--url <url>', 'a running gateway')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option(
      '--db <file>',
      'a gateway database, read offline (read-only): a SQLite file or a postgres:// URL',
    )
    .option('--tenant <tenantId>', 'with --db: refuse plans of other tenants')
    .option('--plan <planId>', 'trace this plan')
    .option('--idempotency-key <key>', 'trace this dispatch')
    .option(
      '--action <actionId>',
      'trace the dispatches of this action (of --plan, else the latest plan)',
    )
    .option('--json', 'print JSON')
    .action(async (opts: TraceOptions) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const target = traceTarget(opts);
          let trace: LineageTrace;
          if (sourceOf(opts) === 'url') {
            trace = await gatewayClient(opts.url ?? '', opts.apiKey).lineage.trace.query(target);
          } else {
            const store = await openStoreReadOnly(opts.db ?? '');
            try {
              trace = await traceInStore(store, target, opts.tenant);
            } finally {
              await store.close();
            }
          }
          printResult(io, opts.json ?? false, trace, () => renderTrace(trace));
          return EXIT.OK;
        }),
      );
    });
}

/**
 * `handoff lineage query|trace|verify|export|checkpoint|jwks`: auditors' commands. `query` and `trace` read a
 * running gateway (`--url`) or a database file offline (`--db`, read-only); `verify` checks a database file or an
 * export bundle offline against trust anchors given from outside it (see `trustFromOptions`), exits 1 at the first
 * broken point and 2 when given no anchor; `export` writes a verifiable JSON Lines bundle or
 * OpenLineage events; `checkpoint` signs a tree head now; `jwks` prints the checkpoint keys. Long exports and
 * verifications draw a progress bar on a TTY, never with `--json` or when `CI` is set.
 */
export function registerLineage(lineage: Command, io: Io, setExit: SetExit): void {
  registerQuery(lineage, io, setExit);
  registerTrace(lineage, io, setExit);
  registerLineageAudit(lineage, io, setExit);
}
