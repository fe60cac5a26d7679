import { verifyWebhook } from '@handoff/automation-adapter';
import { afterEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { GatewayError } from '../../src/errors.js';
import { Notifier, notificationReceivers } from '../../src/notifications/notifier.js';
import { policyWith } from '../policy/helpers.js';
import { createHarness, fixturePlan, type Harness, TENANT } from '../support/harness.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** A fake receiver: records each request (headers and raw body) and answers `status`. */
function receiver(status = 204) {
  const requests: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push({
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: String(init?.body),
    });
    return new Response(null, { status });
  };
  return { requests, fetch };
}

describe('notifications', () => {
  test('POSTs a Standard Webhooks-signed JSON body the receiver can verify', async () => {
    const clock = new ManualClock('2026-11-21T09:30:00Z');
    const { requests, fetch } = receiver();
    const notifier = new Notifier({
      receivers: [
        {
          id: 'finance-desk',
          url: 'https://hooks.example.test/n',
          types: ['budget.warning'],
          signing: { scheme: 'v1', secret: SECRET },
        },
      ],
      clock,
      fetch,
    });
    notifier.notify({
      type: 'budget.warning',
      tenantId: TENANT,
      data: { capId: 'c', percent: 80 },
    });
    await notifier.flush();
    expect(requests).toHaveLength(1);
    const [request] = requests;
    if (request === undefined) throw new Error('no request');
    const verified = verifyWebhook({
      headers: request.headers,
      body: request.body,
      secret: SECRET,
      now: () => clock.now(),
    });
    expect(verified.id).toBe(request.headers['webhook-id']);
    expect(JSON.parse(request.body)).toEqual({
      type: 'budget.warning',
      timestamp: '2026-11-21T09:30:00.000Z',
      data: { tenantId: TENANT, capId: 'c', percent: 80 },
    });
    expect(notifier.counts()).toEqual({ sent: 1, failed: 0 });
  });

  test('a failed delivery is logged and counted, never thrown', async () => {
    const warnings: Record<string, unknown>[] = [];
    const notifier = new Notifier({
      receivers: [
        {
          id: 'down',
          url: 'https://hooks.example.test/n',
          types: ['budget.warning'],
          signing: { scheme: 'v1', secret: SECRET },
        },
      ],
      clock: new ManualClock('2026-11-21T09:30:00Z'),
      fetch: receiver(503).fetch,
      logger: { info: () => {}, error: () => {}, warn: (facts) => warnings.push(facts) },
    });
    expect(() =>
      notifier.notify({ type: 'budget.warning', tenantId: TENANT, data: {} }),
    ).not.toThrow();
    await notifier.flush();
    expect(notifier.counts()).toEqual({ sent: 0, failed: 1 });
    expect(warnings).toEqual([
      {
        event: 'notification.failed',
        receiver: 'down',
        type: 'budget.warning',
        reason: 'HTTP 503',
      },
    ]);
  });

  test('a receiver whose secret variable is unset is a config error at its path', () => {
    const config = {
      receivers: [
        { id: 'r', url: 'https://hooks.example.test/n', signingSecretEnv: 'NOTIFY_SECRET' },
      ],
    };
    try {
      notificationReceivers(config, {});
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).issues[0]).toMatchObject({
        path: '/notifications/receivers/0/signingSecretEnv',
        code: 'MISSING_SECRET',
      });
    }
  });
});

describe('budget warning notifications through the gateway', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function start(status: number) {
    const fake = receiver(status);
    h = await createHarness({
      // A rule that always allows: budget decides nothing here, the notification is what is tested.
      policy: policyWith({ id: 'consent', type: 'consent', enforcement: 'hard_mandatory' }),
      env: { NOTIFY_SECRET: SECRET },
      fetch: fake.fetch,
      config: {
        notifications: {
          receivers: [
            {
              id: 'finance',
              url: 'https://hooks.example.test/n',
              signingSecretEnv: 'NOTIFY_SECRET',
            },
          ],
        },
      },
    });
    return fake;
  }

  test('a plan whose reservation crosses 80 % of a cap notifies after commit, with ids and amounts only', async () => {
    const { requests } = await start(204);
    // EUR 645.00 on the EUR 700.00 hubspot cap: 92 %, across the 80 % line (not 100 %).
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    expect(view.state).toBe('approved');
    await h.runtime.gateway.deps.notifier?.flush();
    expect(requests.map((r) => JSON.parse(r.body).data)).toEqual([
      {
        tenantId: TENANT,
        planId: view.planId,
        capId: 'hubspot-month',
        periodKey: 'month:2026-11',
        percent: 80,
        currency: 'EUR',
        limitMinor: 70_000,
        usedMinor: 64_500,
      },
    ]);
    expect(requests[0]?.body).not.toContain('client-');
  });

  test('a receiver that fails changes nothing about the plan', async () => {
    await start(500);
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    expect(view.state).toBe('approved');
    const notifier = h.runtime.gateway.deps.notifier;
    await notifier?.flush();
    expect(notifier?.counts()).toEqual({ sent: 0, failed: 1 });
  });
});
