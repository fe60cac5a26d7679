import type { HandoffPlan, Money } from '@handoff/protocol';
import type { GatewayStore } from '../../src/store/store.js';

/**
 * The budget of one option of a stored plan (its declared maximum spend): what a test approval signs as its
 * `maxSpend` by default, since an approval may narrow the maximum spend, never widen it
 * (`APPROVAL_SPEND_WIDENED`). An option the plan does not have answers `fallback`, so tests of
 * `APPROVAL_OPTION_INVALID` still sign a token.
 */
export async function optionBudget(
  store: GatewayStore,
  plan: { digest: string },
  optionId: string,
  fallback: Money,
): Promise<Money> {
  const body = await store.transaction((tx) => tx.getPayload(plan.digest));
  if (body === undefined) return fallback;
  const document = JSON.parse(body) as HandoffPlan;
  return document.options.find((o) => o.optionId === optionId)?.budget.amount ?? fallback;
}
