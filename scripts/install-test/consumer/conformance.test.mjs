// An adapter author's conformance run, as the `@handoff/automation-adapter/testing` README shows it: the kit
// registers one Vitest test per check; here against the webhook adapter and the webhook fake the package ships.
import { createWebhookAdapter } from '@handoff/automation-adapter';
import {
  CONFORMANCE_NOW_MS,
  createWebhookFake,
  runAdapterConformance,
} from '@handoff/automation-adapter/testing';

const BASE_URL = 'https://hooks.example.test';
const secret = (byte) => `whsec_${Buffer.alloc(32, byte).toString('base64')}`;

const notify = (actionId, eventType) => ({
  type: 'call_webhook',
  actionId,
  adapter: 'webhook',
  estimatedCost: { amountMinor: 0, currency: 'USD' },
  params: { url: `${BASE_URL}/handoff/events`, eventType, data: { campaignId: 'spring-sale' } },
});

runAdapterConformance({
  name: 'webhook (installed from the tarball)',
  makeFake: () =>
    createWebhookFake({ baseUrl: BASE_URL, secret: secret(7), now: () => CONFORMANCE_NOW_MS }),
  makeAdapter: (_fake, { credentials, timeoutMs }) =>
    createWebhookAdapter({
      timeoutMs,
      signing: { scheme: 'v1', secret: credentials === 'valid' ? secret(7) : secret(9) },
    }),
  sampleActions: [notify('notify-crm', 'campaign.approved'), notify('notify-2', 'budget.changed')],
  unsupportedAction: {
    type: 'track_event',
    actionId: 'track-1',
    adapter: 'webhook',
    estimatedCost: { amountMinor: 0, currency: 'USD' },
    params: { contact: { email: 'ada@example.com' }, name: 'plan.approved' },
  },
});
