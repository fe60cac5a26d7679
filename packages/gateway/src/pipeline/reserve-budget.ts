import { type Actor, type HandoffPlan, sumMinor } from '@handoff/protocol';
import { chargedOptionCost } from '../budget/action-cost.js';
import type { BudgetCap } from '../budget/cap.js';
import { assertMinorUnits, checkHeadroom, type HeadroomExceeded } from '../budget/headroom.js';
import { planReservations, type ReservationLine } from '../budget/reservation-plan.js';
import type { LedgerLine, LineageDraft, StoredCap, StoreTx } from '../store/store.js';

/** A stored cap in the budget module's validated shape. */
export function toBudgetCap(cap: StoredCap): BudgetCap {
  return {
    capId: cap.capId,
    tenantId: cap.tenantId,
    scope: { type: cap.scopeType, value: cap.scopeValue },
    period: cap.period,
    limit: {
      amountMinor: cap.limitMinor,
      currency: cap.currency as BudgetCap['limit']['currency'],
    },
    timeZone: cap.timeZone,
  };
}

/** A validated cap in its stored shape. */
export function toStoredCap(cap: BudgetCap): StoredCap {
  return {
    capId: cap.capId,
    tenantId: cap.tenantId,
    scopeType: cap.scope.type,
    scopeValue: cap.scope.value,
    period: cap.period,
    currency: cap.limit.currency,
    limitMinor: cap.limit.amountMinor,
    timeZone: cap.timeZone,
  };
}

/** The outcome of {@link reserveBudget}. */
export type ReserveOutcome =
  | { ok: true; lines: LedgerLine[] }
  | {
      ok: false;
      code: 'BUDGET_CURRENCY_NOT_CONFIGURED' | 'BUDGET_EXCEEDED' | 'BUDGET_COST_UNDERSTATED';
      message: string;
      data: Record<string, unknown>;
    };

/**
 * Reserves an option's cost on every cap it touches, all or nothing, inside `tx`, and records `budget.reserved`
 * or `budget.refused` in the lineage. Each action is charged the larger of its declared and its computed cost
 * (`planReservations`). A reservation counts against its caps until its plan releases it (a terminal state) or
 * commits it (settlement); `expiresAtMs` (epoch ms) only records the plan's deadline, it never makes the hold lapse.
 * Each cap and period is reserved by the store's `reserveBudget`, one conditional update that refuses in the
 * database (issue 15): no interleaving of transactions or replicas can overspend a cap.
 *
 * An option is never reserved above its declared cost (`BUDGET_COST_UNDERSTATED`, with `declaredMinor` and
 * `chargedMinor`): submission refuses a declared cost below the computed one, but a computed cost can grow after
 * it (a daily raise re-reserved at a resume, a retry or an approval in a cap's later period can run more days),
 * and the plan's policy gates and approvals were decided on the declared cost.
 *
 * A cap without room refuses with `BUDGET_EXCEEDED`; the `budget.refused` event (and the refusal's `data`) names
 * the first cap that would overflow: `capId`, `period` (`day`, `week`, `month`, `total`), `periodKey`,
 * `currency`, `limitMinor`, `usedMinor` (reserved + committed before this request), `requestedMinor` (what the
 * option asks of that cap) and `headroomMinor` (limit - used, never below 0), amounts in minor units. A plan
 * view shows them as `budgetRefusal` (see `budget-refusal.ts`).
 */
export async function reserveBudget(
  tx: StoreTx,
  input: {
    plan: HandoffPlan;
    digest: string;
    optionId: string;
    expiresAtMs: number;
    atMs: number;
    actor: Actor;
    /** True when the caller's event records the outcome (`plan.received`): no `budget.*` event is written. */
    silent?: boolean;
    /** The tenant's caps, when the caller read them in this transaction already. */
    caps?: readonly BudgetCap[];
  },
): Promise<ReserveOutcome> {
  const { plan, optionId, atMs } = input;
  const append = (drafts: LineageDraft[]) =>
    input.silent ? Promise.resolve() : tx.appendLineage(drafts).then(() => undefined);
  const caps = input.caps ?? (await tx.getCaps(plan.tenantId)).map(toBudgetCap);
  const planned = planReservations({ plan, optionId, caps, nowMs: atMs });
  const base = {
    tenantId: plan.tenantId,
    planId: plan.planId,
    actor: input.actor,
    occurredAt: atMs,
  };
  const refs = { plan: input.digest };
  if (!planned.ok) {
    const data = { code: planned.code, currency: planned.currency, optionId };
    await append([{ ...base, type: 'budget.refused', refs, data }]);
    return { ok: false, code: planned.code, message: planned.message, data };
  }
  const option = plan.options.find((o) => o.optionId === optionId);
  const declared = sumMinor(option?.actions.map((a) => a.estimatedCost.amountMinor) ?? []);
  const charged = option ? chargedOptionCost(plan, option, caps, atMs) : 0n;
  if (charged > declared) {
    const data = {
      code: 'BUDGET_COST_UNDERSTATED' as const,
      optionId,
      declaredMinor: Number(declared),
      chargedMinor: Number(charged),
    };
    await append([{ ...base, type: 'budget.refused', refs, data }]);
    const message = `Option ${optionId} would be charged ${charged} minor units, more than the ${declared} it declares`;
    return { ok: false, code: data.code, message, data };
  }
  const lines: LedgerLine[] = planned.lines.map((line) => ({
    planId: plan.planId,
    tenantId: plan.tenantId,
    capId: line.capId,
    periodKey: line.periodKey,
    currency: line.currency,
    amountMinor: line.amountMinor,
    status: 'reserved',
    expiresAt: input.expiresAtMs,
    createdAt: atMs,
    updatedAt: atMs,
  }));
  // One conditional update per cap and period (the store's `reserveBudget`): a cap without room refuses in the
  // database, never after a read another replica could race. All or nothing: a refusal cancels the lines reserved
  // before it, then reads the figures its refusal reports.
  planned.lines.forEach((line, index) => {
    assertMinorUnits(line.amountMinor, `/${index}/amountMinor`);
    assertMinorUnits(line.limitMinor, `/${index}/limitMinor`);
  });
  const reserved: LedgerLine[] = [];
  for (const [index, line] of lines.entries()) {
    if (await tx.reserveBudget(line, planned.lines[index]?.limitMinor ?? 0)) {
      reserved.push(line);
      continue;
    }
    for (const done of reserved) await tx.cancelReservation(done);
    const headroom = await refusalFacts(tx, plan.tenantId, planned.lines, index, atMs);
    const refused = planned.lines.find(
      (l) => l.capId === headroom.capId && l.periodKey === headroom.periodKey,
    );
    const data = {
      code: headroom.code,
      optionId,
      capId: headroom.capId,
      period: refused?.period,
      periodKey: headroom.periodKey,
      currency: refused?.currency,
      limitMinor: headroom.limitMinor,
      usedMinor: headroom.usedMinor,
      requestedMinor: headroom.requestedMinor,
      headroomMinor: Math.max(0, headroom.limitMinor - headroom.usedMinor),
    };
    await append([{ ...base, type: 'budget.refused', refs, data }]);
    return { ok: false, code: headroom.code, message: headroom.message, data };
  }
  const summary = lines.map((l) => ({
    capId: l.capId,
    periodKey: l.periodKey,
    amountMinor: l.amountMinor,
  }));
  await append([
    {
      ...base,
      type: 'budget.reserved',
      refs,
      data: { optionId, currency: lines[0]?.currency, lines: summary },
    },
  ]);
  return { ok: true, lines };
}

/**
 * What a refusal reports once the database refused line `failed`: the first cap (in `checkHeadroom`'s stable order)
 * without room at the figures read now (the request's own lines already cancelled), else the refused line itself.
 */
async function refusalFacts(
  tx: StoreTx,
  tenantId: string,
  lines: readonly ReservationLine[],
  failed: number,
  atMs: number,
): Promise<HeadroomExceeded> {
  const used = new Map<string, bigint>();
  for (const line of lines) {
    const key = `${line.capId}\n${line.periodKey}`;
    if (!used.has(key))
      used.set(key, await tx.usedBudget(tenantId, line.capId, line.periodKey, atMs));
  }
  const usedOf = (capId: string, periodKey: string) => used.get(`${capId}\n${periodKey}`) ?? 0n;
  const headroom = checkHeadroom(lines, usedOf);
  if (!headroom.ok) return headroom;
  const line = lines[failed] as ReservationLine;
  const usedMinor = Number(usedOf(line.capId, line.periodKey));
  return {
    ok: false,
    code: 'BUDGET_EXCEEDED',
    capId: line.capId,
    periodKey: line.periodKey,
    limitMinor: line.limitMinor,
    usedMinor,
    requestedMinor: line.amountMinor,
    message: `Cap ${JSON.stringify(line.capId)} (${line.periodKey}) has ${usedMinor} of ${line.limitMinor} minor units used; ${line.amountMinor} more would exceed it`,
  };
}

/**
 * Releases whatever a plan still holds and records `budget.released` when anything was held (not when `silent`:
 * the caller's event lists the lines, e.g. `plan.settled`). Returns the lines released.
 */
export async function releaseBudget(
  tx: StoreTx,
  input: {
    tenantId: string;
    planId: string;
    digest: string;
    atMs: number;
    actor: Actor;
    reason: string;
    silent?: boolean;
  },
): Promise<LedgerLine[]> {
  const released = await tx.settleLedger(input.tenantId, input.planId, 'released', input.atMs);
  if (released.length === 0 || input.silent) return released;
  await tx.appendLineage([
    {
      tenantId: input.tenantId,
      planId: input.planId,
      actor: input.actor,
      occurredAt: input.atMs,
      type: 'budget.released',
      refs: { plan: input.digest },
      data: {
        reason: input.reason,
        lines: released.map((l) => ({
          capId: l.capId,
          periodKey: l.periodKey,
          amountMinor: l.amountMinor,
        })),
      },
    },
  ]);
  return released;
}
