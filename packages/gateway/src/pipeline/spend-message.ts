import type { Money } from '@handoff/protocol';
import { formatMinor } from '../policy/rules/common.js';

/** The parts of a plan option {@link spendTooLowMessage} reads. */
interface CostedOption {
  optionId: string;
  budget: { amount: Money };
}

/**
 * The message of `APPROVAL_SPEND_TOO_LOW`, in the units an approver types (`--max-spend 3.00 --currency EUR`:
 * major units with the currency, e.g. `EUR 3.00`), never raw minor units: the approval's `maxSpend`, what the
 * option costs, or the currency it is budgeted in when the approval names another.
 */
export function spendTooLowMessage(
  maxSpend: Money,
  option: CostedOption | undefined,
  costMinor: bigint,
): string {
  const allowed = formatMinor(maxSpend.amountMinor, maxSpend.currency);
  if (option === undefined) return `The approval's option is not in the plan (maxSpend ${allowed})`;
  const currency = option.budget.amount.currency;
  if (maxSpend.currency !== currency) {
    return `maxSpend is ${allowed}, but option ${option.optionId} is budgeted in ${currency}: approve in ${currency}`;
  }
  return `maxSpend ${allowed} does not cover the ${formatMinor(costMinor, currency)} option ${option.optionId} costs`;
}

/**
 * The message of `APPROVAL_SPEND_WIDENED`, in the same units as {@link spendTooLowMessage}: the approval's
 * `maxSpend` and the largest one accepted, the option's budget (the plan's declared maximum for it).
 */
export function spendWidenedMessage(maxSpend: Money, option: CostedOption): string {
  const { amount } = option.budget;
  const asked = formatMinor(maxSpend.amountMinor, maxSpend.currency);
  const accepted = formatMinor(amount.amountMinor, amount.currency);
  return `maxSpend ${asked} exceeds the ${accepted} budget of option ${option.optionId}: an approver may narrow the maximum spend, never widen it (at most ${accepted})`;
}
