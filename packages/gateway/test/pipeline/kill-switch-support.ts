import type { HandoffPlan } from '@handoff/protocol';
import { OPTION_2, planVariant } from './helpers.js';

/**
 * The fixture plan (option 1 recommended: hubspot, phone + email, EUR 645.00) with option 2 (customerio, email)
 * raised to EUR 600.00 and given the dataset evidence the evidence bar asks for: approving either option needs the
 * finance and marketing-lead gate, and option 2 runs on another adapter than the recommended one.
 */
export function gatedOptionTwoPlan(n: number): HandoffPlan {
  return planVariant(n, (plan) => {
    const option = plan.options.find((o) => o.optionId === OPTION_2);
    const action = option?.actions[0];
    if (!option || !action) throw new Error('fixture changed');
    option.budget.amount.amountMinor = 60_000;
    action.estimatedCost.amountMinor = 60_000;
    option.evidence.push({
      type: 'dataset_reference',
      inputId: 'bank-marketing',
      query: 'pdays = -1',
      finding: '3705 clients never contacted',
    });
  });
}
