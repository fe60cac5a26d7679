import { ChannelSchema } from '@handoff/protocol';
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

/** `channel_allowlist`: options may only use the listed channels (e.g. `['email', 'push', 'in_app']`). */
export const ChannelAllowlistRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('channel_allowlist'),
  channels: distinctArray(ChannelSchema, 12),
});
/** See {@link ChannelAllowlistRuleSchema}. */
export type ChannelAllowlistRule = z.infer<typeof ChannelAllowlistRuleSchema>;

/**
 * Evaluates a `channel_allowlist` rule for one option: `deny` with `CHANNEL_NOT_ALLOWED` at the first channel
 * outside the list (`/options/i/channels/k`; the message names them all), else `allow` with `CHANNELS_ALLOWED`.
 */
export function evaluateChannelAllowlist(
  rule: ChannelAllowlistRule,
  { option, optionIndex }: RuleContext,
): RuleFinding {
  const offending = option.channels
    .map((channel, index) => ({ channel, index }))
    .filter(({ channel }) => !rule.channels.includes(channel));
  const [first] = offending;
  if (first === undefined) {
    return allow(
      'CHANNELS_ALLOWED',
      pointer('options', optionIndex, 'channels'),
      'Every channel is allowed',
    );
  }
  return deny(
    'CHANNEL_NOT_ALLOWED',
    pointer('options', optionIndex, 'channels', first.index),
    `Channels not allowed: ${listText(offending.map((o) => o.channel))} (allowed: ${listText(rule.channels)})`,
  );
}
