import { IdentifierSchema, LIMITS } from '@handoff/protocol';
import { z } from 'zod';
import { actionContacts } from '../recipients.js';
import {
  allow,
  deny,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

/**
 * One destination's minimum: actions on the adapter `destination` must reach at least `minContacts` people.
 * `source` (optional) is the platform page the figure comes from, kept with the policy for reviewers.
 */
export const AudienceMinimumSchema = z.strictObject({
  destination: IdentifierSchema,
  minContacts: z.int().min(1).max(10_000_000),
  source: z.url().max(LIMITS.MAX_TEXT_LENGTH).optional(),
});

/**
 * `min_audience`: a minimum audience size per destination (the action's `adapter`). Platforms refuse to serve,
 * or to create, audiences below a floor, to protect privacy; the gateway refuses the plan before anything is sent.
 * Figures as the platforms publish them (configure the ones that hold for your accounts):
 *
 * - Google Customer Match and remarketing on Search, Display and YouTube: 100 active members
 *   (https://support.google.com/google-ads/answer/7474263); older accounts and Display & Video 360 YouTube line
 *   items were documented at 1,000 (https://support.google.com/displayvideo/answer/6401903).
 * - X (Twitter) Custom Audiences: 100 matched users
 *   (https://business.x.com/en/help/campaign-setup/campaign-targeting/custom-audiences).
 * - TikTok Custom Audiences: 1,000 matched users to use one in an ad group
 *   (https://ads.tiktok.com/help/article/custom-audiences).
 *
 * The size an action reaches: the number of contacts it names (an `add_to_list` upload, an enrolment), or the
 * option's `audience.estimatedSize` for an action that names none (a segment send, a campaign). `minimums`: 1..100
 * entries with distinct destinations (`DUPLICATE_ITEM`).
 */
export const MinAudienceRuleSchema = z
  .strictObject({
    ...ruleCommonShape,
    type: z.literal('min_audience'),
    minimums: z.array(AudienceMinimumSchema).min(1).max(100),
  })
  .superRefine((rule, ctx) => {
    rule.minimums.forEach((entry, index) => {
      if (rule.minimums.findIndex((m) => m.destination === entry.destination) !== index) {
        ctx.addIssue({
          code: 'custom',
          path: ['minimums', index, 'destination'],
          message: `A second minimum for ${entry.destination}`,
          params: { code: 'DUPLICATE_ITEM' },
        });
      }
    });
  });
/** See {@link MinAudienceRuleSchema}. */
export type MinAudienceRule = z.infer<typeof MinAudienceRuleSchema>;

/**
 * Evaluates a `min_audience` rule for one option: `deny` with `AUDIENCE_BELOW_MINIMUM` at the first action below
 * its destination's minimum (the message names the destination, the size and the minimum), else `allow` with
 * `AUDIENCE_AT_OR_ABOVE_MINIMUM` (or `NO_DESTINATION_MINIMUM` when no action goes to a listed destination).
 */
export function evaluateMinAudience(
  rule: MinAudienceRule,
  { option, optionIndex }: RuleContext,
): RuleFinding {
  let checked = 0;
  for (const [actionIndex, action] of option.actions.entries()) {
    const minimum = rule.minimums.find((m) => m.destination === action.adapter);
    if (minimum === undefined) continue;
    checked += 1;
    const named = actionContacts(action).length;
    const size = named > 0 ? named : option.audience.estimatedSize;
    if (size < minimum.minContacts) {
      const what = named > 0 ? `names ${size} contact(s)` : `targets a segment of about ${size}`;
      return deny(
        'AUDIENCE_BELOW_MINIMUM',
        pointer('options', optionIndex, 'actions', actionIndex),
        `Action ${action.actionId} on ${action.adapter} ${what}; ${action.adapter} needs at least ${minimum.minContacts}`,
      );
    }
  }
  const path = pointer('options', optionIndex, 'actions');
  return checked === 0
    ? allow('NO_DESTINATION_MINIMUM', path, 'No action goes to a destination with a minimum')
    : allow('AUDIENCE_AT_OR_ABOVE_MINIMUM', path, 'Every audience meets its destination minimum');
}
