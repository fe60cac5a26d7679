import type { Action, ActionOf } from '@handoff/protocol';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ExecuteContext } from '../../src/adapter.js';
import {
  createHubSpotAdapter,
  type HubSpotAdapterOptions,
} from '../../src/hubspot/hubspot-adapter.js';
import {
  createHubSpotFake,
  type HubSpotFake,
  type HubSpotFakeOptions,
} from '../../src/hubspot/hubspot-fake.js';

/** The private-app token the fakes accept. */
export const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
/** HubSpot's API host (the fakes answer it in process through msw). */
export const HUBAPI = 'https://api.hubapi.com';
/** A fixed clock: 2026-01-15T12:00:00Z. */
export const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

/** The account the fakes model: one workflow, one list, one marketing email, two known contacts. */
export const SEED = {
  workflowIds: ['4242'],
  listIds: ['77'],
  emailIds: ['555'],
  contacts: [
    { email: 'ada@example.com', id: '1001' },
    { email: 'grace@example.com', id: '1002' },
  ],
} satisfies Partial<HubSpotFakeOptions>;

const common = { adapter: 'hubspot', estimatedCost: { amountMinor: 0, currency: 'USD' as const } };

/** An `enroll_in_workflow` of `emails` into workflow 4242. */
export function enrollAction(
  emails: string[] = ['ada@example.com', 'grace@example.com'],
): ActionOf<'enroll_in_workflow'> {
  const contacts = emails.map((email) => ({ email }));
  return {
    type: 'enroll_in_workflow',
    actionId: 'enroll-1',
    ...common,
    params: { workflowId: '4242', contacts },
  };
}

/** An `add_to_list` of contacts to list 77. */
export function listAction(
  contacts: ActionOf<'add_to_list'>['params']['contacts'] = [
    { externalId: '1001' },
    { externalId: '1002' },
  ],
): ActionOf<'add_to_list'> {
  return { type: 'add_to_list', actionId: 'list-1', ...common, params: { listId: '77', contacts } };
}

/** An `upsert_contacts` of one new and one known contact. */
export function upsertAction(
  contacts: ActionOf<'upsert_contacts'>['params']['contacts'] = [
    { email: 'new@example.com', phone: '+14155550100', properties: { firstname: 'New', score: 7 } },
    { email: 'ada@example.com', properties: { lifecyclestage: 'customer', vip: true } },
  ],
): ActionOf<'upsert_contacts'> {
  return { type: 'upsert_contacts', actionId: 'upsert-1', ...common, params: { contacts } };
}

/** A `send_transactional` of marketing email 555 to ada. */
export function sendAction(
  params: Partial<ActionOf<'send_transactional'>['params']> = {},
): ActionOf<'send_transactional'> {
  return {
    type: 'send_transactional',
    actionId: 'send-1',
    ...common,
    params: {
      messageId: '555',
      to: { email: 'ada@example.com' },
      data: { coupon: 'SPRING' },
      ...params,
    },
  };
}

/** An action the HubSpot adapter does not execute. */
export const TRACK_EVENT: Action = {
  type: 'track_event',
  actionId: 'track-1',
  ...common,
  params: { contact: { email: 'ada@example.com' }, name: 'plan.approved' },
};

/** An execute context with `key`, a fresh signal, the fixed clock and `globalThis.fetch` (msw-intercepted). */
export function context(
  key = 'plan-1:opt-a:0',
  overrides: Partial<ExecuteContext> = {},
): ExecuteContext {
  return {
    idempotencyKey: key,
    signal: new AbortController().signal,
    fetch: (input, init) => globalThis.fetch(input, init),
    now: () => NOW_MS,
    queuedAt: NOW_MS,
    attempt: 1,
    ...overrides,
  };
}

/** A request as it left the adapter: raw headers (credentials included), parsed body. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Serves a fresh HubSpot fake (seeded with {@link SEED}) through msw `setupServer` for the test file, resets it
 * after each test, and records every request as sent (before the fake redacts it).
 */
export function useHubSpotFake(options: Partial<HubSpotFakeOptions> = {}) {
  const fake: HubSpotFake = createHubSpotFake({
    accessToken: TOKEN,
    now: () => NOW_MS,
    ...SEED,
    ...options,
  });
  const server = setupServer(...fake.handlers);
  const sent: SentRequest[] = [];
  server.events.on('request:start', async ({ request }) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const entry: SentRequest = {
      method: request.method,
      url: request.url,
      headers,
      body: undefined,
    };
    sent.push(entry);
    const text = await request.clone().text();
    entry.body = text ? JSON.parse(text) : undefined;
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    fake.reset();
    sent.length = 0;
  });
  afterAll(() => server.close());
  const adapter = (extra: Partial<HubSpotAdapterOptions> = {}) =>
    createHubSpotAdapter({ accessToken: TOKEN, timeoutMs: 200, ...extra });
  return { fake, server, sent, adapter };
}
