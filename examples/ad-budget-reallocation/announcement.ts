/**
 * The ad copilot's announcement: besides moving ad budgets, it can email the audience of a campaign about the offer
 * through a Customer.io broadcast to the platform-side segment holding that audience
 * (https://docs.customer.io/integrations/api/app/tag/send-messages/triggerBroadcast/). Unlike a budget move, a sent broadcast cannot be
 * undone: a rollback of the plan lists it as irreversible (`ACTION_REVERSIBILITY` of `@handoff/protocol`).
 */
import type { Action } from '@handoff/protocol';
import type { AdCampaign } from './meta-platform.js';

/** The Customer.io broadcast announcing an offer to an ad audience (an API-triggered broadcast). */
export const ANNOUNCEMENT_BROADCAST = '62';
/** The Customer.io segment (numeric id) holding each campaign's audience, by campaign name. */
export const CUSTOMERIO_SEGMENTS: Readonly<Record<string, string>> = {
  'social-retired': '801',
  'social-students': '802',
  'social-management': '803',
  'social-blue-collar': '804',
};
/** What one announcement email costs, in EUR minor units (cents). */
const COST_PER_EMAIL_MINOR = 1;

/**
 * Announcing the offer by email to the `audienceSize` clients a campaign reaches: a Customer.io broadcast to its segment. A
 * sent email cannot be recalled (the contract's `trigger_broadcast` is irreversible).
 */
export function announce(campaign: AdCampaign, audienceSize: number): Action {
  const segmentId = CUSTOMERIO_SEGMENTS[campaign.name] ?? '';
  return {
    type: 'trigger_broadcast',
    actionId: 'announce',
    adapter: 'customerio',
    description: `Customer.io broadcast ${ANNOUNCEMENT_BROADCAST} to segment ${segmentId}`,
    estimatedCost: {
      amountMinor: COST_PER_EMAIL_MINOR * audienceSize,
      currency: 'EUR',
    },
    params: {
      broadcastId: ANNOUNCEMENT_BROADCAST,
      segmentId,
      data: { offer: 'term-deposit', campaign: campaign.name },
    },
  };
}
