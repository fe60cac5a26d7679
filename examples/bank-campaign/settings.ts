/**
 * What the bank-campaign story assumes, in one place: who and where, what a contact costs, the caps, the approvers
 * and the platform objects the plans name. Money is integer minor units (EUR cents).
 */
import { join } from 'node:path';
import { money } from '@handoff/copilot-adapter';
import { monthlyEurCap } from '../shared/story-gateway.js';

export const TENANT = 'acme-bank';
export const GATEWAY_ID = 'gw-bank-demo';
export const POLICY_FILE = join(import.meta.dirname, 'policy.yaml');

/**
 * Assumed loaded cost of one outbound call by the bank's call centre (agent time and attempts): EUR 6.00. The data
 * has no cost column (SOURCE.md), so this is a stated assumption.
 */
export const COST_PER_CALL = money('6.00', 'EUR');
/** Assumed cost of one marketing email through Customer.io (sending and content): EUR 0.05. */
export const COST_PER_EMAIL = money('0.05', 'EUR');
/**
 * The data measured phone campaigns only. Email is assumed to convert at a quarter of the phone rate of the same
 * clients, with low confidence; forecasts that rely on it say so.
 */
export const EMAIL_RATE_FACTOR = 0.25;

/** How many clients the call centre can call this month, at most, in the first wave. */
export const CALL_LIST_SIZE = 90;
/** Second-wave call lists: three lists of 30, submitted at the same time by three copilot runs. */
export const WAVE_SIZE = 30;
export const WAVES = ['a', 'b', 'c'] as const;
/** The warm nurture audience: the next 1,000 clients after the call lists. */
export const NURTURE_SIZE = 1_000;

/** HubSpot workflows (call lists) and Customer.io broadcasts and segments that exist on the (fake) platforms. */
export const HUBSPOT_CALL_LIST_WORKFLOW = '87001';
export const HUBSPOT_WAVE_WORKFLOWS = { a: '87011', b: '87012', c: '87013' } as const;
export const CUSTOMERIO = {
  nurtureBroadcast: '31',
  nurtureSegment: '701',
  wideNurtureSegment: '702',
  emailFirstBroadcast: '32',
  emailFirstSegment: '703',
  storiesBroadcast: '33',
  storiesSegment: '704',
  waveEmailBroadcast: '34',
} as const;
/** The call centre's scheduling system, told when a call list is ready (a Standard Webhooks receiver). */
export const CALL_CENTRE_HOOK = 'https://callcentre.bank.example/hooks/handoff';

/**
 * Caps: EUR 1,000.00 a month for the whole tenant (the pilot's budget) and EUR 1,200.00 a month on HubSpot, in the
 * bank's time zone.
 */
export const CAPS = [
  monthlyEurCap({ capId: 'tenant-month', tenantId: TENANT, limitMinor: 100_000 }),
  monthlyEurCap({
    capId: 'hubspot-month',
    tenantId: TENANT,
    limitMinor: 120_000,
    adapter: 'hubspot',
  }),
];

/** The two people whose signed approvals larger plans need (policy `spend-needs-two`). */
export const APPROVERS = {
  finance: { sub: 'f.costa@bank.example', role: 'finance' },
  marketing: { sub: 'm.rita@bank.example', role: 'marketing_lead' },
};
