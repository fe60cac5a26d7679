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
