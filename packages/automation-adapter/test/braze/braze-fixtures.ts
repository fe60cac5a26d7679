import type { Action, ActionOf, ContactRef } from '@handoff/protocol';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { AutomationAdapter, ExecuteContext } from '../../src/adapter.js';
import { AdapterError } from '../../src/adapter-error.js';
import { type BrazeAdapterOptions, createBrazeAdapter } from '../../src/braze/braze-adapter.js';
import {
  type BrazeFake,
  type BrazeFakeOptions,
  createBrazeFake,
} from '../../src/braze/braze-fake.js';

/** The fake's and the dispatcher's clock in these tests: 2026-03-02T12:00:00Z. */
export const NOW = Date.parse('2026-03-02T12:00:00Z');
/** The REST API key the fakes accept. */
export const API_KEY = 'braze-test-rest-key';
/** The US-01 instance REST endpoint (the fake's default base URL). */
export const REST_ENDPOINT = 'https://rest.iad-01.braze.com';

const common = {
  adapter: 'braze',
  estimatedCost: { amountMinor: 0, currency: 'USD' },
} as const;

/** `n` contacts with external ids `user-1`... */
export function contacts(n: number): ContactRef[] {
  return Array.from({ length: n }, (_, i) => ({ externalId: `user-${i + 1}` }));
}

/** A campaign broadcast with trigger properties (the campaign's own segment). */
export const broadcastAction: ActionOf<'trigger_broadcast'> = {
  ...common,
  type: 'trigger_broadcast',
  actionId: 'winback-broadcast',
  params: { broadcastId: 'campaign-winback', data: { offer: 'SPRING20' } },
};

/** A Canvas enrollment of `n` contacts (`user-1`...). */
export function enrollAction(n: number): ActionOf<'enroll_in_workflow'> {
  return {
    ...common,
    type: 'enroll_in_workflow',
    actionId: 'enroll-onboarding',
    params: { workflowId: 'canvas-onboarding', contacts: contacts(n) },
  };
}

/** A scheduled campaign message to two recipients, 2026-03-05T09:00:00Z (within 90 days of both clocks). */
export const scheduleAction: ActionOf<'schedule_message'> = {
  ...common,
  type: 'schedule_message',
  actionId: 'schedule-reminder',
  params: {
    campaignId: 'campaign-reminder',
    sendAt: '2026-03-05T09:00:00Z',
    recipients: contacts(2),
    data: { coupon: 'R10' },
  },
};

/** A custom event for `user-1`, with its time and properties. */
export const trackEventAction: ActionOf<'track_event'> = {
  ...common,
  type: 'track_event',
  actionId: 'track-offer-sent',
  params: {
    contact: { externalId: 'user-1', email: 'ada@example.com' },
    name: 'offer_sent',
    properties: { offer: 'SPRING20' },
    occurredAt: '2026-03-02T11:59:00Z',
  },
};

/** An upsert of `n` contacts with two properties each. */
export function upsertAction(n: number): ActionOf<'upsert_contacts'> {
  return {
    ...common,
    type: 'upsert_contacts',
    actionId: 'upsert-segment',
    params: {
      contacts: Array.from({ length: n }, (_, i) => ({
        externalId: `user-${i + 1}`,
        properties: { tier: 'gold', rank: i + 1 },
      })),
    },
  };
}

/** An action type Braze does not execute. */
export const addToListAction: Action = {
  ...common,
  type: 'add_to_list',
  actionId: 'list-add',
  params: { listId: 'list-1', contacts: contacts(1) },
};

/** The dispatcher's context: msw-patched `fetch`, the fixed clock, attempt 1. */
export function context(overrides: Partial<ExecuteContext> = {}): ExecuteContext {
  return {
    idempotencyKey: 'plan-1:option-1:0',
    signal: new AbortController().signal,
    fetch: (input, init) => fetch(input, init),
    now: () => NOW,
    queuedAt: NOW,
    attempt: 1,
    ...overrides,
  };
}

/**
 * A Braze fake served in process by msw for the whole test file (unhandled requests fail the test), reset after each
 * test, and an adapter factory pointed at it.
 */
export function useBrazeFake(options: Partial<BrazeFakeOptions> = {}): {
  fake: BrazeFake;
  server: ReturnType<typeof setupServer>;
  adapter: (overrides?: Partial<BrazeAdapterOptions>) => AutomationAdapter;
} {
  const fake = createBrazeFake({ apiKey: API_KEY, now: () => NOW, ...options });
  const server = setupServer(...fake.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    fake.reset();
  });
  afterAll(() => server.close());
  const adapter = (overrides: Partial<BrazeAdapterOptions> = {}) =>
    createBrazeAdapter({ restEndpoint: REST_ENDPOINT, apiKey: API_KEY, ...overrides });
  return { fake, server, adapter };
}

/** The AdapterError `promise` rejects with (fails the test when it resolves or throws anything else). */
export async function rejection(promise: Promise<unknown>): Promise<AdapterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AdapterError) return error;
    throw error;
  }
  throw new Error('Expected an AdapterError, but the promise resolved');
}
