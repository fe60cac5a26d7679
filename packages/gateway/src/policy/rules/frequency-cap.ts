import { ChannelSchema } from '@handoff/protocol';
import { z } from 'zod';
import { requireFact } from '../policy-facts.js';
import { sendKeys } from '../recipients.js';
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

/** Longest rolling window a frequency cap may count over: 366 days, in hours. */
export const MAX_FREQUENCY_WINDOW_HOURS = 8_784;

/**
 * `frequency_cap`: at most `maxSends` sends to one contact (or one segment) per rolling window of `windowHours`
 * hours across a channel group (`channels`), counting what THIS gateway has dispatched (successful dispatches,
 * recorded with the outcome in the same transaction) plus the sends the option itself would make.
 *
 * Platforms cap per channel, and some only on their top tier: Braze's global frequency capping
 * (https://www.braze.com/docs/user_guide/engagement_tools/campaigns/building_campaigns/rate-limiting/#frequency-capping)
 * counts per channel inside one workspace, Customer.io's message limits
 * (https://docs.customer.io/journeys/message-limits/) per workspace; a cap across channels AND platforms can only
 * be kept where every send passes, which is here.
 *
 * - `maxSends`: 1..1,000 sends per key per window.
 * - `windowHours`: 1..8,784 (366 days). The window ends at the evaluation time (the injected clock).
 * - `channels`: the channel group (1..12 distinct channels). An option none of whose channels is in the group is
 *   not counted (`NO_CHANNEL_IN_GROUP`).
 *
 * A send is an `enroll_in_workflow`, `trigger_broadcast`, `send_transactional` or `schedule_message` action. It
 * is counted per named contact (by the SHA-256 of its normalised email, else of its external id), or per segment
 * for a send that names none. Contacts named by email in one plan and by id in another count apart.
 */
export const FrequencyCapRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('frequency_cap'),
  maxSends: z.int().min(1).max(1000),
  windowHours: z.int().min(1).max(MAX_FREQUENCY_WINDOW_HOURS),
  channels: distinctArray(ChannelSchema, 12),
});
/** See {@link FrequencyCapRuleSchema}. */
export type FrequencyCapRule = z.infer<typeof FrequencyCapRuleSchema>;

/**
 * Evaluates a `frequency_cap` rule for one option: `deny` with `FREQUENCY_CAP_EXCEEDED` at the first action that
 * would take a key over the cap (the message gives how many contacts or segments, never who), `allow` with
 * `WITHIN_FREQUENCY_CAP`, or `allow` with `NO_CHANNEL_IN_GROUP`.
 *
 * @throws Error without send history in the facts (the engine denies with `RULE_EVALUATION_FAILED`).
 */
export function evaluateFrequencyCap(
  rule: FrequencyCapRule,
  { option, optionIndex, evaluatedAtMs, facts }: RuleContext,
): RuleFinding {
  const at = (...segments: (string | number)[]) => pointer('options', optionIndex, ...segments);
  const group = rule.channels;
  if (!option.channels.some((channel) => group.includes(channel))) {
    return allow(
      'NO_CHANNEL_IN_GROUP',
      at('channels'),
      `The option uses none of ${listText(group)}`,
    );
  }
  const history = requireFact(facts ?? {}, 'sends');
  if (evaluatedAtMs === undefined) throw new Error('No evaluation time');
  const sinceMs = evaluatedAtMs - rule.windowHours * 3_600_000;
  const planned = new Map<string, { count: number; actionIndex: number }>();
  option.actions.forEach((action, actionIndex) => {
    for (const key of sendKeys(action, option)) {
      const seen = planned.get(key);
      planned.set(key, {
        count: (seen?.count ?? 0) + 1,
        actionIndex: seen?.actionIndex ?? actionIndex,
      });
    }
  });
  let over = 0;
  let firstAction: number | undefined;
  let highest = 0;
  for (const [key, { count, actionIndex }] of planned) {
    const total = history.count(key, group, sinceMs) + count;
    if (total > rule.maxSends) {
      over += 1;
      highest = Math.max(highest, total);
      firstAction = Math.min(firstAction ?? actionIndex, actionIndex);
    }
  }
  const window = `${rule.windowHours} h on ${listText(group)}`;
  if (firstAction === undefined) {
    return allow(
      'WITHIN_FREQUENCY_CAP',
      at('actions'),
      `No contact or segment gets more than ${rule.maxSends} sends in ${window}`,
    );
  }
  return deny(
    'FREQUENCY_CAP_EXCEEDED',
    at('actions', firstAction),
    `${over} contact(s) or segment(s) would get up to ${highest} sends in ${window}; the cap is ${rule.maxSends}`,
  );
}
