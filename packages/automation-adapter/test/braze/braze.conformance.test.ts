import type { Action } from '@handoff/protocol';
import { createBrazeAdapter } from '../../src/braze/braze-adapter.js';
import { createBrazeFake } from '../../src/braze/braze-fake.js';
import {
  CONFORMANCE_NOW_MS,
  type ConformanceSubject,
  runAdapterConformance,
} from '../../src/testing/conformance.js';
import {
  API_KEY,
  addToListAction,
  broadcastAction,
  enrollAction,
  scheduleAction,
  trackEventAction,
  upsertAction,
} from './braze-fixtures.js';

function subject(name: string, sampleActions: Action[]): ConformanceSubject {
  return {
    name,
    makeFake: () => createBrazeFake({ apiKey: API_KEY, now: () => CONFORMANCE_NOW_MS }),
    makeAdapter: (fake, { credentials, timeoutMs }) =>
      createBrazeAdapter({
        restEndpoint: fake.baseUrl,
        apiKey: credentials === 'valid' ? API_KEY : 'revoked-rest-key',
        timeoutMs,
      }),
    sampleActions,
    unsupportedAction: addToListAction,
  };
}

/**
 * The Braze adapter against its fake, on the kit's clock. Braze offers no idempotency key (manifest `none`), so the
 * kit expects a timeout or reset after apply to be `IN_DOUBT`, never retried. The first sample (which the fault
 * checks use) is a campaign broadcast; the Canvas enrollment of 120 contacts takes three requests.
 */
runAdapterConformance(
  subject('braze', [
    broadcastAction,
    enrollAction(120),
    scheduleAction,
    trackEventAction,
    upsertAction(80),
  ]),
);

/**
 * The same suite with the batched Canvas enrollment first, so the fault checks (429, 5xx, 401, timeout and reset
 * after apply, abort) meet the batching path: its first request failing must keep its own code, and nothing after
 * it may be sent.
 */
runAdapterConformance(
  subject('braze (batched Canvas enrollment first)', [
    enrollAction(120),
    broadcastAction,
    scheduleAction,
    trackEventAction,
    upsertAction(160),
  ]),
);
