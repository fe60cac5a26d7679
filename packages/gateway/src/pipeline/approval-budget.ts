import type { Actor, HandoffPlan, StrategyOption } from '@handoff/protocol';
import { chargedOptionCost } from '../budget/action-cost.js';
import { GatewayError } from '../errors.js';
import type { GatewayStore, LedgerLine, PlanRecord, StoreTx } from '../store/store.js';
import { describeRefusal, refusalFacts } from './budget-refusal.js';
import {
  type ReserveOutcome,
  releaseBudget,
  reserveBudget,
  toBudgetCap,
} from './reserve-budget.js';

/**
 * The budget tail of an approval: what happens when the approvals of an option are complete.
 *
 * The decision (documented in the gateway README, "Guarantees"): AN APPROVAL THE CAPS CANNOT HOLD IS NOT CONSUMED.
 * The approving transaction is rolled back whole (the token id is not burned, no `approval.accepted`, the plan's
 * reservation of its recommended option stands), then one transaction records why: `approval.refused` and
 * `budget.refused` with the cap's figures, and the plan's `reasonCode` becomes `BUDGET_EXCEEDED` while it keeps
 * `awaiting_approval`. The caller is refused `BUDGET_EXCEEDED` with the cap's figures. The same approver may
 * present the same token (or a new one) again once there is headroom; the plan is never approved without a
 * reservation, and its approval window still bounds how long it waits.
 */

/**
 * What the gateway would hold for `option` were its approvals complete at `atMs` (epoch ms), in minor units, as
 * {@link holdApprovedBudget} would: for the recommended option with its reservation held, its largest reserved
 * line; otherwise what a reservation of it charges now (each action at the larger of its declared and computed
 * cost, see `chargedOptionCost`). That can exceed the declared cost the plan was policed for: a daily raise can
 * run more days in a cap's new period than were left in the period it was submitted in.
 */
export async function approvalCost(
  tx: StoreTx,
  input: {
    record: PlanRecord;
    plan: HandoffPlan;
    option: StrategyOption;
    atMs: number;
    /** The plan's ledger lines as this transaction read them (`ledgerForPlan`). */
    ledger: readonly LedgerLine[];
  },
): Promise<bigint> {
  const { record, plan, option, atMs } = input;
  const held = input.ledger.filter((l) => l.status === 'reserved');
  if (option.optionId === record.recommendedOptionId && held.length > 0) {
    return held.reduce((max, l) => (BigInt(l.amountMinor) > max ? BigInt(l.amountMinor) : max), 0n);
  }
  const caps = (await tx.getCaps(record.tenantId)).map(toBudgetCap);
  return chargedOptionCost(plan, option, caps, atMs);
}

/** Thrown inside the approving transaction to roll it back; {@link recordBudgetRefusal} turns it into the answer. */
export class ApprovalBudgetRefusal extends Error {
  constructor(
    readonly record: PlanRecord,
    readonly optionId: string,
    readonly refusal: Extract<ReserveOutcome, { ok: false }>,
    readonly approval: { actor: Actor; atMs: number; facts: Record<string, unknown> },
  ) {
    super(refusal.message);
    this.name = 'ApprovalBudgetRefusal';
  }
}

/**
 * Makes sure the option a completed quorum approves has its budget held, inside the approving transaction, before
 * the plan moves to `approved`. The recommended option with its reservation held: nothing to do. Otherwise (another
 * option, or nothing held) the plan's reservation is released and the approved option's cost reserved on every cap
 * it touches, all or nothing (`reserveBudget`).
 *
 * @param approval - who approves (`actor`), when (`atMs`, epoch ms) and the approval's facts for the lineage
 *   (`kid`, `jti`, `role`, ...: never the token).
 * @throws ApprovalBudgetRefusal when the caps cannot hold the option (the caller's transaction must roll back).
 */
export async function holdApprovedBudget(
  tx: StoreTx,
  input: {
    record: PlanRecord;
    plan: HandoffPlan;
    optionId: string;
    approval: { actor: Actor; atMs: number; facts: Record<string, unknown> };
    /** True when the approval's event lists the lines moved: no `budget.*` event is written. */
    silent?: boolean;
    /** The plan's ledger lines as this transaction read them (`ledgerForPlan`), unchanged since. */
    ledger: readonly LedgerLine[];
  },
): Promise<{ released: LedgerLine[]; reserved: LedgerLine[] } | undefined> {
  const { record, plan, optionId, approval } = input;
  const { actor, atMs } = approval;
  const held = input.ledger.some((l) => l.status === 'reserved');
  if (optionId === record.recommendedOptionId && held) return undefined;
  const silent = input.silent ?? false;
  const released = await releaseBudget(tx, {
    ...record,
    atMs,
    actor,
    reason: 'option_changed',
    silent,
  });
  const reserved = await reserveBudget(tx, {
    plan,
    digest: record.digest,
    optionId,
    expiresAtMs: record.expiresAt,
    atMs,
    actor,
    silent,
  });
  if (!reserved.ok) throw new ApprovalBudgetRefusal(record, optionId, reserved, approval);
  return { released, reserved: reserved.lines };
}

/**
 * Answers an approval that {@link holdApprovedBudget} refused: in a new transaction, records `budget.refused` and
 * `approval.refused` (code `BUDGET_EXCEEDED`, the cap's figures) and, when the plan still awaits approval, sets
 * its `reasonCode` to `BUDGET_EXCEEDED` so its view says why it waits. Any other error is rethrown as is.
 *
 * @throws GatewayError `BUDGET_EXCEEDED` (HTTP 409) whose message names the cap, its period, limit, used and
 *   requested amounts in minor units, `details` the same facts, and one issue (path `""`, the budget code) whose
 *   message names the cap, period, amount asked and headroom (see `describeRefusal`); or `error` itself.
 */
export async function recordBudgetRefusal(store: GatewayStore, error: unknown): Promise<never> {
  if (!(error instanceof ApprovalBudgetRefusal)) throw error;
  const { record, optionId, refusal, approval } = error;
  const base = {
    tenantId: record.tenantId,
    planId: record.planId,
    actor: approval.actor,
    occurredAt: approval.atMs,
    refs: { plan: record.digest },
  };
  await store.transaction(async (tx) => {
    const current = await tx.getPlan(record.tenantId, record.planId);
    if (current?.state === 'awaiting_approval') {
      await tx.updatePlan(record.tenantId, record.planId, 'awaiting_approval', {
        reasonCode: 'BUDGET_EXCEEDED',
        updatedAt: approval.atMs,
      });
    }
    await tx.appendLineage([
      { ...base, type: 'budget.refused', data: refusal.data },
      {
        ...base,
        type: 'approval.refused',
        data: {
          ...approval.facts,
          ...refusal.data,
          code: 'BUDGET_EXCEEDED',
          budgetCode: refusal.code,
          verified: true,
        },
      },
    ]);
  });
  throw new GatewayError(
    'BUDGET_EXCEEDED',
    `The approvals of option ${JSON.stringify(optionId)} would be complete, but the budget cannot hold it: ${refusal.message}. This approval was not used: present it again once there is headroom.`,
    {
      // The figures on the wire too: the envelope carries issues, not details.
      issues: [
        { path: '', code: refusal.code, message: describeRefusal(refusalFacts(refusal.data)) },
      ],
      details: { optionId, ...refusal.data },
    },
  );
}
