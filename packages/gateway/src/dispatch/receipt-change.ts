import type { Action, DispatchReceipt } from '@handoff/protocol';

/** What a receipt says the platform changed (`DispatchReceipt.change`). */
export type ReceiptChange = NonNullable<DispatchReceipt['change']>;

/** A `{ amountMinor, currency }` read back from an adapter's `reversal` facts, or undefined. */
function moneyIn(value: unknown): ReceiptChange['from'] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { amountMinor, currency } = value as { amountMinor?: unknown; currency?: unknown };
  if (typeof amountMinor !== 'number' || typeof currency !== 'string') return undefined;
  return { amountMinor, currency } as ReceiptChange['from'];
}

/**
 * What a succeeded action changed at the platform, for the receipt: a budget move (`set_campaign_budget`) changed
 * the campaign budget from the amount the adapter read just before writing (its `reversal.previousBudget`, see
 * `@handoff/automation-adapter` ad-budget) to the action's `newBudget`. Undefined for other actions, or when the
 * adapter captured no budget (nothing is guessed).
 */
export function receiptChange(
  action: Action,
  reversal: Record<string, unknown> | undefined,
): ReceiptChange | undefined {
  if (action.type !== 'set_campaign_budget' || reversal === undefined) return undefined;
  const from = moneyIn(reversal.previousBudget);
  const to = moneyIn((action.params as { newBudget?: unknown }).newBudget);
  return from && to ? { kind: 'budget', from, to } : undefined;
}
