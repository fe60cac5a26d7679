import { type Actor, DispatchReceiptSchema, type HandoffPlan, type Money } from '@handoff/protocol';
import { planReservations } from '../budget/reservation-plan.js';
import { loadPlanDocument } from '../pipeline/deps.js';
import { releaseBudget, toBudgetCap } from '../pipeline/reserve-budget.js';
import { transitionPlan } from '../pipeline/transition.js';
import type { PlanState } from '../plan-state.js';
import type { LedgerLine, OutboxRow, OutboxStatus, PlanRecord, StoreTx } from '../store/store.js';

/** Rows that still wait for the dispatcher or an operator: a plan with any of them is not settled. */
const OPEN_STATUSES: readonly OutboxStatus[] = ['pending', 'in_flight', 'dead', 'in_doubt'];

/** What one executed action cost, and whether the platform said so or the plan's estimate stands in. */
export interface ActionCost {
  actionIndex: number;
  amountMinor: number;
  source: 'actual' | 'estimate';
}

async function actionCost(tx: StoreTx, plan: HandoffPlan, row: OutboxRow): Promise<ActionCost> {
  const action = plan.options.find((o) => o.optionId === row.optionId)?.actions[row.actionIndex];
  if (!action) throw new Error(`Plan ${row.planId} has no action ${row.actionIndex}`);
  let actual: Money | undefined;
  const body = row.receiptDigest ? await tx.getPayload(row.receiptDigest) : undefined;
  if (body !== undefined) actual = DispatchReceiptSchema.parse(JSON.parse(body)).actualCost;
  return actual && actual.currency === action.estimatedCost.currency
    ? { actionIndex: row.actionIndex, amountMinor: actual.amountMinor, source: 'actual' }
    : {
        actionIndex: row.actionIndex,
        amountMinor: action.estimatedCost.amountMinor,
        source: 'estimate',
      };
}

/** The plan state once every row is settled: all done, some done, or none. */
function finalState(rows: readonly OutboxRow[]): PlanState {
  const done = rows.filter((r) => r.status === 'succeeded').length;
  if (done === rows.length) return 'dispatched';
  return done === 0 ? 'failed' : 'partially_failed';
}

/**
 * Ends a `dispatching` plan once none of its outbox rows is pending, in flight, dead-lettered or in doubt (dead
 * letters and in-doubt rows wait for an operator, and the plan's budget stays reserved meanwhile).
 *
 * In one transaction: the reservation is released and what was really spent is committed: for each succeeded
 * action the platform's reported cost (`DispatchReceipt.actualCost`) or, where it reported none, the action's
 * estimate, booked on the same caps a reservation of those actions would touch, in the current periods. Then the
 * plan moves to `dispatched` (every action succeeded), `partially_failed` (some) or `failed` (none), with
 * `budget.released`, `budget.committed` and `plan.state_changed` in the lineage. Returns the settled plan, or
 * `undefined` when it is not ready (or not dispatching).
 */
export async function settlePlanIfDone(
  tx: StoreTx,
  tenantId: string,
  planId: string,
  atMs: number,
  actor: Actor,
): Promise<PlanRecord | undefined> {
  const record = await tx.getPlan(tenantId, planId);
  if (record?.state !== 'dispatching') return undefined;
  const rows = await tx.outboxForPlan(tenantId, planId);
  if (rows.length > 0 && rows.some((r) => OPEN_STATUSES.includes(r.status))) return undefined;
  const plan = await loadPlanDocument(tx, record);
  const optionId = record.selectedOptionId ?? record.recommendedOptionId;
  const option = plan.options.find((o) => o.optionId === optionId);
  if (!option) throw new Error(`Plan ${planId} has no option ${optionId}`);
  const succeeded = rows.filter((r) => r.status === 'succeeded');
  const costs: ActionCost[] = [];
  for (const row of succeeded) costs.push(await actionCost(tx, plan, row));

  await releaseBudget(tx, { ...record, atMs, actor, reason: 'settled' });
  if (costs.length > 0) {
    const spent = {
      ...option,
      actions: costs.map((c) => ({
        adapter: option.actions[c.actionIndex]?.adapter ?? '',
        estimatedCost: { amountMinor: c.amountMinor, currency: option.budget.amount.currency },
      })),
    };
    const caps = (await tx.getCaps(plan.tenantId)).map(toBudgetCap);
    const planned = planReservations({
      plan: { tenantId: plan.tenantId, workflow: plan.workflow, options: [spent] },
      optionId,
      caps,
      nowMs: atMs,
    });
    const lines: LedgerLine[] = planned.ok
      ? planned.lines.map((line) => ({
          planId,
          tenantId: plan.tenantId,
          capId: line.capId,
          periodKey: line.periodKey,
          currency: line.currency,
          amountMinor: line.amountMinor,
          status: 'committed',
          expiresAt: null,
          createdAt: atMs,
          updatedAt: atMs,
        }))
      : [];
    await tx.insertLedger(lines);
    await tx.appendLineage([
      {
        tenantId: plan.tenantId,
        planId,
        type: 'budget.committed',
        actor,
        occurredAt: atMs,
        refs: { plan: record.digest },
        data: {
          optionId,
          currency: option.budget.amount.currency,
          actions: costs,
          lines: lines.map((l) => ({
            capId: l.capId,
            periodKey: l.periodKey,
            amountMinor: l.amountMinor,
          })),
          ...(planned.ok ? {} : { code: planned.code }),
        },
      },
    ]);
  }
  const to = finalState(rows);
  return transitionPlan(tx, record, to, {
    actor,
    atMs,
    reasonCode: to === 'dispatched' ? null : 'ACTIONS_FAILED',
    data: {
      succeeded: succeeded.length,
      abandoned: rows.length - succeeded.length,
    },
  });
}
