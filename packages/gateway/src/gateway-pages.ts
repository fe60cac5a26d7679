import type { LineageEvent, WireInput } from '@handoff/protocol';
import type { Principal } from './auth/principal.js';
import { GatewayError } from './errors.js';
import { type PlanView, planView } from './pipeline/plan-view.js';
import type { PlanState } from './plan-state.js';
import { nextLineageCursor } from './store/lineage-cursor.js';
import type { GatewayStore } from './store/store.js';

/** A page of results with the cursor of the next page (`undefined` on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | undefined;
}

/**
 * Filter of `Gateway.queryLineage` (the input of `lineage.query` in the wire API): plan, event types, actor id or
 * type, workflow, adapter, times (RFC 3339), `cursor` the last `seq` seen, `limit` 1-500.
 */
export type LineageQuery = WireInput<'lineage.query'>;

/** The largest page the gateway's list operations return. */
export const MAX_PAGE = 500;

/**
 * A page of the principal's tenant's plans, newest first, `limit` (1-500, default 50) a page; a copilot sees only
 * its own plans. The role check is the caller's (`Gateway.listPlans`).
 *
 * @throws GatewayError `VALIDATION_FAILED` (a cursor not returned by plans.list).
 */
export async function listPlanPage(
  store: GatewayStore,
  principal: Principal,
  query: { states?: PlanState[]; workflowId?: string; cursor?: string; limit?: number },
): Promise<Page<PlanView>> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), MAX_PAGE);
  const before = decodePlanCursor(query.cursor);
  const onlyCopilot = principal.roles.every((r) => r === 'copilot');
  return store.transaction(async (tx) => {
    const records = await tx.listPlans({
      tenantId: principal.tenantId,
      ...(query.states ? { states: query.states } : {}),
      ...(query.workflowId ? { workflowId: query.workflowId } : {}),
      ...(onlyCopilot ? { submittedBy: principal.id } : {}),
      ...(before ? { before } : {}),
      limit: limit + 1,
    });
    const page = records.slice(0, limit);
    const last = page[page.length - 1];
    const items = await Promise.all(page.map((r) => planView(tx, r)));
    return {
      items,
      nextCursor: records.length > limit && last ? `${last.receivedAt}:${last.planId}` : undefined,
    };
  });
}

/**
 * A page of the principal's tenant's lineage events in position order (`GatewayStore.queryLineageAt`: commit
 * order, so paging with `nextCursor` never misses an event; on PostgreSQL the log order, an event listed once
 * sequenced), `limit` (1-500, default 100) a page. The role check is the caller's (`Gateway.queryLineage`).
 *
 * @throws GatewayError `VALIDATION_FAILED` (a cursor that is not a non-negative integer).
 */
export async function queryLineagePage(
  store: GatewayStore,
  principal: Principal,
  query: LineageQuery,
): Promise<Page<LineageEvent>> {
  const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_PAGE);
  const after = query.cursor === undefined ? undefined : Number.parseInt(query.cursor, 10);
  if (after !== undefined && !(Number.isSafeInteger(after) && after >= 0)) {
    throw new GatewayError(
      'VALIDATION_FAILED',
      'cursor must be a position returned by lineage.query',
      {
        issues: [
          { path: '/cursor', code: 'INVALID_FORMAT', message: 'Expected a non-negative integer' },
        ],
      },
    );
  }
  const rows = await store.queryLineageAt({
    tenantId: principal.tenantId,
    ...(query.planId ? { planId: query.planId } : {}),
    ...(query.types ? { types: query.types } : {}),
    ...(query.actorId ? { actorId: query.actorId } : {}),
    ...(query.actorType ? { actorType: query.actorType } : {}),
    ...(query.workflowId ? { workflowId: query.workflowId } : {}),
    ...(query.adapter ? { adapter: query.adapter } : {}),
    ...(query.from ? { fromMs: Date.parse(query.from) } : {}),
    ...(query.to ? { toMs: Date.parse(query.to) } : {}),
    ...(after === undefined ? {} : { after }),
    limit: limit + 1,
  });
  const next = nextLineageCursor(rows, limit, after);
  return {
    items: rows.slice(0, limit).map((row) => row.event),
    nextCursor: next === undefined ? undefined : String(next),
  };
}

function decodePlanCursor(
  cursor: string | undefined,
): { receivedAt: number; planId: string } | undefined {
  if (cursor === undefined) return undefined;
  const match = /^(\d+):(.+)$/.exec(cursor);
  if (!match?.[1] || !match[2]) {
    throw new GatewayError('VALIDATION_FAILED', 'Malformed cursor', {
      issues: [
        {
          path: '/cursor',
          code: 'INVALID_FORMAT',
          message: 'Expected a cursor returned by plans.list',
        },
      ],
    });
  }
  return { receivedAt: Number(match[1]), planId: match[2] };
}
