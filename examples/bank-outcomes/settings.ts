/**
 * What the bank-outcomes story assumes, in one place: who and where, the split of the data, the two copilot
 * variants and the webhook the plans call. Money is integer minor units (EUR cents).
 */
import { join } from 'node:path';
import { money } from '@handoff/copilot-adapter';
import type { BankClient } from '../shared/bank-data.js';

export const TENANT = 'acme-bank';
export const GATEWAY_ID = 'gw-bank-outcomes';
export const POLICY_FILE = join(import.meta.dirname, 'policy.yaml');

/** The call centre's webhook (served locally by the webhook fake): it receives each segment's campaign. */
export const CAMPAIGN_HOOK = 'https://callcentre.bank.example/hooks/segment-campaign';

/** Assumed cost of starting one segment's campaign at the call centre (a stated assumption): EUR 25.00. */
export const CAMPAIGN_COST = money('25.00', 'EUR');

/** The forecast horizon of every plan, in days; outcomes are final once it is over. */
export const HORIZON_DAYS = 30;

/**
 * The split: odd rows are the history the copilot forecasts from; even rows are the held-out clients the campaign
 * reaches, whose real recorded `y` (subscribed or not) becomes the reported outcome. The copilot never reads them.
 */
export function isHeldOut(client: Pick<BankClient, 'clientId'>): boolean {
  return client.clientId % 2 === 0;
}

/** The two copilot variants: same point forecasts, different intervals. */
export const COPILOTS = {
  honest: {
    vendor: 'Handoff examples',
    model: 'bank-segment-rates',
    modelVersion: '1',
    promptVersion: 'beta-posterior-80',
  },
  overconfident: {
    vendor: 'Handoff examples',
    model: 'bank-segment-rates',
    modelVersion: '1',
    promptVersion: 'overconfident-narrow',
  },
} as const;
export type CopilotVariant = keyof typeof COPILOTS;

/** How much of the honest interval's width the overconfident variant keeps on each side of p50. */
export const OVERCONFIDENT_WIDTH = 0.2;
