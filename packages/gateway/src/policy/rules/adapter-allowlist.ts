import { IdentifierSchema } from '@handoff/protocol';
import { z } from 'zod';
import {
  allow,
  deny,
  distinctArray,
  listText,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

/** `adapter_allowlist`: actions may only go to the listed automation adapters (e.g. `['hubspot', 'braze']`). */
export const AdapterAllowlistRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('adapter_allowlist'),
  adapters: distinctArray(IdentifierSchema, 100),
});
/** See {@link AdapterAllowlistRuleSchema}. */
export type AdapterAllowlistRule = z.infer<typeof AdapterAllowlistRuleSchema>;

/**
 * Evaluates an `adapter_allowlist` rule for one option: `deny` with `ADAPTER_NOT_ALLOWED` at the first action
 * whose adapter is not listed (`/options/i/actions/j/adapter`; `actionPaths` and the message name every such
 * action), else
 * `allow` with `ADAPTERS_ALLOWED`.
 */
export function evaluateAdapterAllowlist(
  rule: AdapterAllowlistRule,
  { option, optionIndex }: RuleContext,
): RuleFinding {
  const offending = option.actions
    .map((action, index) => ({ action, index }))
    .filter(({ action }) => !rule.adapters.includes(action.adapter));
  const [first] = offending;
  if (first === undefined) {
    return allow(
      'ADAPTERS_ALLOWED',
      pointer('options', optionIndex, 'actions'),
      'Every action uses an allowed adapter',
    );
  }
  const named = offending.map(({ action }) => `${action.actionId} (${action.adapter})`);
  const paths = offending.map(({ index }) =>
    pointer('options', optionIndex, 'actions', index, 'adapter'),
  );
  return {
    ...deny(
      'ADAPTER_NOT_ALLOWED',
      pointer('options', optionIndex, 'actions', first.index, 'adapter'),
      `Actions use adapters not allowed: ${listText(named)} (allowed: ${listText(rule.adapters)})`,
    ),
    actionPaths: paths,
  };
}
