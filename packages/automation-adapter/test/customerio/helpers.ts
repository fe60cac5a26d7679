import { type Action, type ActionOf, ActionSchema } from '@handoff/protocol';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ExecuteContext } from '../../src/adapter.js';
import { createCustomerIoAdapter } from '../../src/customerio/customerio-adapter.js';
import { type CustomerIoFake, createCustomerIoFake } from '../../src/customerio/customerio-fake.js';
import type { CustomerIoRegion } from '../../src/customerio/requests.js';

/** Test credentials (never real). */
export const CREDS = { siteId: 'site-123', trackApiKey: 'track-key-abc', appApiKey: 'app-key-xyz' };

/** A mutable clock shared by the fake and the execute contexts: `clock.ms += 10_000` moves both. */
export const clock = { ms: Date.UTC(2026, 2, 1, 9, 0, 0) };

/** One outgoing request as the adapter sent it: full URL, method and lower-cased headers. */
export interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Requests sent through {@link context}'s fetch, in order. */
export const sent: SentRequest[] = [];

/** An msw server for the current test file: call {@link serve} in each test to install a fake's handlers. */
export const server = setupServer();

/** Registers the server lifecycle in the calling test file. */
export function useServer(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    sent.length = 0;
  });
  afterAll(() => server.close());
}

/** A fresh fake on the shared clock, served by the file's msw server. */
export function serve(region: CustomerIoRegion = 'us', broadcastIds?: string[]): CustomerIoFake {
  const fake = createCustomerIoFake({
    ...CREDS,
    region,
    now: () => clock.ms,
    ...(broadcastIds ? { broadcastIds } : {}),
  });
  server.resetHandlers(...fake.handlers);
  return fake;
}

/** An adapter for `region` with the test credentials (override any option). */
export function adapterFor(
  region: CustomerIoRegion = 'us',
  overrides: Partial<Parameters<typeof createCustomerIoAdapter>[0]> = {},
) {
  return createCustomerIoAdapter({ region, ...CREDS, timeoutMs: 200, ...overrides });
}

/** An execute context on the shared clock whose fetch records each request in {@link sent}. */
export function context(
  idempotencyKey: string,
  overrides: Partial<ExecuteContext> = {},
): ExecuteContext {
  return {
    idempotencyKey,
    signal: new AbortController().signal,
    fetch: async (input, init) => {
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, key) => {
        headers[key] = value;
      });
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      sent.push({ url: String(input), method: init?.method ?? 'GET', headers, body });
      return globalThis.fetch(input, init);
    },
    now: () => clock.ms,
    queuedAt: clock.ms,
    attempt: 1,
    ...overrides,
  };
}

const common = { adapter: 'customerio', estimatedCost: { amountMinor: 0, currency: 'USD' } };

/** Parses through the protocol schema so samples are valid actions. */
function action<T extends Action['type']>(raw: Record<string, unknown>): ActionOf<T> {
  return ActionSchema.parse({ ...common, ...raw }) as ActionOf<T>;
}

/** A track_event for externalId `user-1`. */
export const trackEventAction = action<'track_event'>({
  type: 'track_event',
  actionId: 'evt-1',
  params: {
    contact: { externalId: 'user-1', email: 'ada@example.com' },
    name: 'trial_extended',
    properties: { days: 14 },
    occurredAt: '2026-03-01T08:00:00Z',
  },
});

/** An upsert of two contacts: one by externalId, one by email only. */
export const upsertAction = action<'upsert_contacts'>({
  type: 'upsert_contacts',
  actionId: 'up-1',
  params: {
    contacts: [
      { externalId: 'user-1', email: 'ada@example.com', properties: { plan: 'pro' } },
      { email: 'bob+tag@example.com', phone: '+14155550100', properties: { plan: 'free' } },
    ],
  },
});

/** A trigger of broadcast 42 to segment 7 with trigger data. */
export const broadcastAction = action<'trigger_broadcast'>({
  type: 'trigger_broadcast',
  actionId: 'bc-1',
  params: { broadcastId: '42', segmentId: '7', data: { headline: 'Spring sale' } },
});

/** A transactional email from template 44 to externalId `user-1`. */
export const transactionalAction = action<'send_transactional'>({
  type: 'send_transactional',
  actionId: 'tx-1',
  params: {
    messageId: '44',
    to: { externalId: 'user-1', email: 'ada@example.com' },
    data: { resetUrl: 'https://example.com/r/abc' },
  },
});

/** An action type Customer.io does not execute. */
export const unsupportedAction = action<'set_campaign_budget'>({
  type: 'set_campaign_budget',
  actionId: 'budget-1',
  params: {
    campaignId: 'c-1',
    budgetType: 'daily',
    currentBudget: { amountMinor: 1000, currency: 'USD' },
    newBudget: { amountMinor: 1200, currency: 'USD' },
  },
});
