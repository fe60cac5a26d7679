import type { BudgetRefusal, LineageEvent } from '@handoff/protocol';
import type { PlanRecord, StoreTx } from '../store/store.js';

/**
 * Why the budget refused a plan, as its view (`PlanView.budgetRefusal`) shows it (`BudgetRefusal` of the wire API
 * in `@handoff/protocol`): the facts of the plan's latest `budget.refused` lineage event and a sentence for people.
 * A budget refusal at submission is not an error: the plan is recorded `rejected` with `reasonCode`
 * `BUDGET_EXCEEDED` (or stays `paused` / `awaiting_approval` when a resume or an approval found no room), so these
 * figures are how a caller learns which cap, how much it asked and how much room there was.
 */
export type { BudgetRefusal };

const TEXT_FACTS = ['optionId', 'capId', 'period', 'periodKey', 'currency'] as const;
const AMOUNT_FACTS = [
  'limitMinor',
  'usedMinor',
  'requestedMinor',
  'headroomMinor',
  'declaredMinor',
  'chargedMinor',
] as const;

type RefusalFacts = Omit<BudgetRefusal, 'message' | 'at'>;

/** The typed facts of a `budget.refused` event's `data` (unknown or ill-typed members are left out). */
export function refusalFacts(data: Readonly<Record<string, unknown>>): RefusalFacts {
  const facts: RefusalFacts = { code: String(data.code ?? 'BUDGET_EXCEEDED') };
  for (const key of TEXT_FACTS) if (typeof data[key] === 'string') facts[key] = data[key];
  for (const key of AMOUNT_FACTS) if (typeof data[key] === 'number') facts[key] = data[key];
  const { limitMinor, usedMinor } = facts;
  if (facts.headroomMinor === undefined && limitMinor !== undefined && usedMinor !== undefined)
    facts.headroomMinor = Math.max(0, limitMinor - usedMinor);
  return facts;
}

/** A sentence naming the cap, its period, the amount asked and the headroom (amounts in minor units). */
export function describeRefusal(f: RefusalFacts): string {
  const option = f.optionId === undefined ? 'The plan' : `Option ${JSON.stringify(f.optionId)}`;
  const units = `minor units${f.currency === undefined ? '' : ` of ${f.currency}`}`;
  if (f.code === 'BUDGET_COST_UNDERSTATED')
    return `${option} would be charged ${f.chargedMinor} ${units}, more than the ${f.declaredMinor} it declares`;
  if (f.code === 'BUDGET_CURRENCY_NOT_CONFIGURED')
    return `${option} is in ${f.currency ?? 'a currency'} but no budget cap of the tenant is in that currency`;
  return `${option} asks ${f.requestedMinor} ${units} of cap ${JSON.stringify(f.capId)} (${f.periodKey ?? f.period}), which has ${f.usedMinor} of its ${f.limitMinor} used: ${f.headroomMinor} left`;
}

/** The {@link BudgetRefusal} of a `budget.refused` event. */
export function budgetRefusalOf(event: LineageEvent): BudgetRefusal {
  return budgetRefusalFrom(event.data ?? {}, event.occurredAt);
}

/** The {@link BudgetRefusal} of a refusal's facts (a `budget.refused` event's `data`) at `at` (RFC 3339). */
export function budgetRefusalFrom(
  data: Readonly<Record<string, unknown>>,
  at: string,
): BudgetRefusal {
  const facts = refusalFacts(data);
  return { ...facts, message: describeRefusal(facts), at };
}

/**
 * The budget refusal a plan's view shows: the latest `budget.refused` event of a plan whose `reasonCode` is a
 * budget code (`BUDGET_*`), or null for any other plan.
 */
export async function planBudgetRefusal(
  tx: StoreTx,
  record: PlanRecord,
): Promise<BudgetRefusal | null> {
  if (!record.reasonCode?.startsWith('BUDGET_')) return null;
  const event = await tx.lastPlanEvent(record.tenantId, record.planId, 'budget.refused');
  return event ? budgetRefusalOf(event) : null;
}
