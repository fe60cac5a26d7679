import { generateKeyPairSync } from 'node:crypto';
import type { Action, ActionOf } from '@handoff/protocol';
import { createWebhookAdapter } from '../../src/index.js';
import {
  CONFORMANCE_NOW_MS,
  type ConformanceSubject,
  createWebhookFake,
} from '../../src/testing/index.js';

/** The receiver's base URL in tests (RFC 6761 `.test` names never resolve). */
export const HOOKS_BASE_URL = 'https://hooks.example.test';
/** 32 bytes of 0x07, base64: the receiver's secret. */
export const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
/** A secret the receiver does not trust. */
export const WRONG_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

/** A valid `call_webhook` action. */
export function webhookAction(
  overrides: Partial<ActionOf<'call_webhook'>['params']> = {},
  actionId = 'notify-crm',
): ActionOf<'call_webhook'> {
  return {
    type: 'call_webhook',
    actionId,
    adapter: 'webhook',
    estimatedCost: { amountMinor: 0, currency: 'USD' },
    params: {
      url: `${HOOKS_BASE_URL}/handoff/events`,
      eventType: 'campaign.approved',
      data: { campaignId: 'spring-sale', audience: 1200 },
      ...overrides,
    },
  };
}

/** An action the webhook adapter does not execute. */
export const TRACK_EVENT: Action = {
  type: 'track_event',
  actionId: 'track-1',
  adapter: 'webhook',
  estimatedCost: { amountMinor: 0, currency: 'USD' },
  params: { contact: { email: 'ada@example.com' }, name: 'plan.approved' },
};

/** The webhook adapter as a conformance subject: HMAC (`v1`) or Ed25519 (`v1a`) signing. */
export function webhookSubject(scheme: 'v1' | 'v1a' = 'v1'): ConformanceSubject {
  const trusted = generateKeyPairSync('ed25519');
  const untrusted = generateKeyPairSync('ed25519');
  return {
    name: `webhook (${scheme})`,
    makeFake: () =>
      createWebhookFake({
        baseUrl: HOOKS_BASE_URL,
        ...(scheme === 'v1' ? { secret: SECRET } : { publicKey: trusted.publicKey }),
        now: () => CONFORMANCE_NOW_MS,
      }),
    makeAdapter: (_fake, { credentials, timeoutMs }) =>
      createWebhookAdapter({
        timeoutMs,
        signing:
          scheme === 'v1'
            ? { scheme, secret: credentials === 'valid' ? SECRET : WRONG_SECRET }
            : {
                scheme,
                privateKey: credentials === 'valid' ? trusted.privateKey : untrusted.privateKey,
              },
      }),
    sampleActions: [
      webhookAction(),
      webhookAction(
        { eventType: 'budget.changed', data: { nested: { list: [1, 2] } } },
        'notify-2',
      ),
    ],
    unsupportedAction: TRACK_EVENT,
  };
}
