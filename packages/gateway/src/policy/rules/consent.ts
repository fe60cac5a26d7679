import { z } from 'zod';
import {
  allow,
  deny,
  listText,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

/**
 * `consent`: every plan input holding personal data must state its lawful basis (`consentBasis`, GDPR Art. 6(1)).
 * No settings. The check is plan-wide, so every option gets the same decision.
 */
export const ConsentRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('consent'),
});
/** See {@link ConsentRuleSchema}. */
export type ConsentRule = z.infer<typeof ConsentRuleSchema>;

/**
 * Evaluates a `consent` rule: `deny` with `CONSENT_BASIS_MISSING` at the first offending input
 * (`/inputs/i/consentBasis`; the message names them all), else `allow` with `CONSENT_BASIS_PRESENT`.
 */
export function evaluateConsent(_rule: ConsentRule, { plan }: RuleContext): RuleFinding {
  const offending = plan.inputs
    .map((input, index) => ({ input, index }))
    .filter(({ input }) => input.personalData && input.consentBasis === undefined);
  const [first] = offending;
  if (first === undefined) {
    return allow(
      'CONSENT_BASIS_PRESENT',
      pointer('inputs'),
      'Every input with personal data states its consent basis',
    );
  }
  return deny(
    'CONSENT_BASIS_MISSING',
    pointer('inputs', first.index, 'consentBasis'),
    `Inputs with personal data but no consent basis: ${listText(offending.map((o) => o.input.inputId))}`,
  );
}
