import {
  type Actor,
  type DispatchReceipt,
  DispatchReceiptSchema,
  type HandoffPlan,
  type Money,
} from '@handoff/protocol';
import { planReservations, type ReservationLine } from '../budget/reservation-plan.js';
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

async function actionCost(
  tx: StoreTx,
  plan: HandoffPlan,
  row: OutboxRow,
  known: SettleKnown,
): Promise<ActionCost> {
  const action = plan.options.find((o) => o.optionId === row.optionId)?.actions[row.actionIndex];
  if (!action) throw new Error(`Plan ${row.planId} has no action ${row.actionIndex}`);
  let actual: Money | undefined;
  const written = row.receiptDigest ? known.receipts?.get(row.receiptDigest) : undefined;
  if (written) actual = written.actualCost;
  else {
    const body = row.receiptDigest ? await tx.getPayload(row.receiptDigest) : undefined;
    if (body !== undefined) actual = DispatchReceiptSchema.parse(JSON.parse(body)).actualCost;
  }
  return actual && actual.currency === action.estimatedCost.currency
    ? { actionIndex: row.actionIndex, amountMinor: actual.amountMinor, source: 'actual' }
    : {
        actionIndex: row.actionIndex,
        amountMinor: action.estimatedCost.amountMinor,
        source: 'estimate',
      };
}

/**
 * What the caller's transaction already holds, so settling reads none of it back: the plan document (parsed and
 * checked against its digest when it was claimed) and the receipts written, by digest.
 */
export interface SettleKnown {
  plan?: HandoffPlan;
  receipts?: ReadonlyMap<string, DispatchReceipt>;
}

/** A cap that a commit leaves above its limit: the platform spent more than the gateway had reserved. */
interface OverCap {
  capId: string;
  periodKey: string;
  limitMinor: number;
  /** Committed + reserved on the cap before this commit, minor units. */
  usedMinor: number;
  committedMinor: number;
}

/**
 * Re-checks the caps at commit: the lines (after the plan's reservation is released) that would leave their cap
 * above its limit. Only a platform charging more than the reservation (or a cap lowered since) can cause one:
 * what was reserved always fits, since the reservation counted until this commit replaced it.
 */
async function capsExceeded(
  tx: StoreTx,
  lines: readonly LedgerLine[],
  planned: readonly ReservationLine[],
): Promise<OverCap[]> {
  const over: OverCap[] = [];
  for (const line of lines) {
    const limitMinor = planned.find((p) => p.capId === line.capId)?.limitMinor;
    if (limitMinor === undefined) continue;
    const used = await tx.usedBudget(line.tenantId, line.capId, line.periodKey, line.createdAt);
    if (used + BigInt(line.amountMinor) <= BigInt(limitMinor)) continue;
    over.push({
      capId: line.capId,
      periodKey: line.periodKey,
      limitMinor,
      usedMinor: Number(used),
      committedMinor: line.amountMinor,
    });
  }
  return over;
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
 * In one transaction the reservation is replaced by what was really spent: for each succeeded action the platform's
 * reported cost (`DispatchReceipt.actualCost`) or, where it reported none, what the reservation charged for it (the
 * larger of its estimate and its computed cost), booked on the same caps a reservation of those actions would
 * touch, IN THE PERIOD THE RESERVATION WAS MADE IN (the spend it authorised counts where it was held, even when the
 * plan settles in a later period). The cap is re-checked: an amount the reservation covered always fits (the
 * reservation counted until now); a platform charging more than was reserved is committed as reported, the
 * ledger telling the truth, and `plan.settled` lists each cap it leaves above its limit (`overCap`: limit,
 * used before, committed), which then refuses new reservations until the period ends. Then the plan moves to
 * `dispatched` (every action succeeded), `partially_failed` (some) or `failed` (none), recorded by ONE event,
 * `plan.settled`: the final `state`, the lines `released` and `committed` per cap, each action's cost (`actions`,
 * actual or estimate). Returns the settled plan, or
 * `undefined` when it is not ready (or not dispatching).
 */
export async function settlePlanIfDone(
  tx: StoreTx,
  tenantId: string,
  planId: string,
  atMs: number,
  actor: Actor,
  known: SettleKnown = {},
): Promise<PlanRecord | undefined> {
  const record = await tx.getPlan(tenantId, planId);
  if (record?.state !== 'dispatching') return undefined;
  const rows = await tx.outboxForPlan(tenantId, planId);
  if (rows.length > 0 && rows.some((r) => OPEN_STATUSES.includes(r.status))) return undefined;
  const plan =
    known.plan && known.plan.planId === planId ? known.plan : await loadPlanDocument(tx, record);
  const optionId = record.selectedOptionId ?? record.recommendedOptionId;
  const option = plan.options.find((o) => o.optionId === optionId);
  if (!option) throw new Error(`Plan ${planId} has no option ${optionId}`);
  const succeeded = rows.filter((r) => r.status === 'succeeded');
  const costs: ActionCost[] = [];
  for (const row of succeeded) costs.push(await actionCost(tx, plan, row, known));

  const released = await releaseBudget(tx, {
    ...record,
    atMs,
    actor,
    reason: 'settled',
    silent: true,
  });
  // What the reservation was made for (the lines released): its moment gives the period and the pricing.
  const reservedAt = released[0]?.createdAt ?? atMs;
  let committed: Record<string, unknown> = {};
  if (costs.length > 0) {
    const spent = {
      ...option,
      actions: costs.map((c) => {
        const action = option.actions[c.actionIndex];
        if (!action) throw new Error(`Plan ${planId} has no action ${c.actionIndex}`);
        // The platform's figure stands as reported; without one, what the reservation charged for the action.
        return c.source === 'actual'
          ? {
              adapter: action.adapter,
              estimatedCost: {
                amountMinor: c.amountMinor,
                currency: option.budget.amount.currency,
              },
            }
          : action;
      }),
    };
    const caps = (await tx.getCaps(plan.tenantId)).map(toBudgetCap);
    const planned = planReservations({
      plan: {
        tenantId: plan.tenantId,
        expiresAt: plan.expiresAt,
        workflow: plan.workflow,
        options: [spent],
      },
      optionId,
      caps,
      nowMs: reservedAt,
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
    const overCap = await capsExceeded(tx, lines, planned.ok ? planned.lines : []);
    await tx.insertLedger(lines);
    committed = {
      actions: costs,
      committed: lines.map(lineFacts),
      ...(planned.ok ? {} : { code: planned.code }),
      ...(overCap.length > 0 ? { overCap } : {}),
    };
  }
  const to = finalState(rows);
  const reasonCode = to === 'dispatched' ? null : 'ACTIONS_FAILED';
  const settled = await transitionPlan(tx, record, to, {
    actor,
    atMs,
    reasonCode,
    recordedByCaller: true,
  });
  await tx.appendLineage([
    {
      tenantId: plan.tenantId,
      planId,
      type: 'plan.settled',
      actor,
      occurredAt: atMs,
      refs: { plan: record.digest },
      data: {
        state: to,
        ...(reasonCode ? { reasonCode } : {}),
        optionId,
        currency: option.budget.amount.currency,
        succeeded: succeeded.length,
        abandoned: rows.length - succeeded.length,
        released: released.map(lineFacts),
        ...committed,
      },
    },
  ]);
  return settled;
}

/** A ledger line as `plan.settled` lists it: cap, period, amount (minor units of the option's currency). */
function lineFacts(line: LedgerLine) {
  return { capId: line.capId, periodKey: line.periodKey, amountMinor: line.amountMinor };
}
