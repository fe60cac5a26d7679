import type { Action } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { type AdapterErrorCode, isAdapterError } from '../../src/adapter-error.js';
import { createCustomerIoAdapter } from '../../src/customerio/customerio-adapter.js';
import { type CustomerIoFake, createCustomerIoFake } from '../../src/customerio/customerio-fake.js';
import {
  CONFORMANCE_NOW_MS,
  type ConformanceSubject,
  runAdapterConformance,
} from '../../src/testing/conformance.js';
import { withConformanceServer } from '../../src/testing/conformance-harness.js';
import type { FakePlatform } from '../../src/testing/fake-platform.js';
import {
  broadcastAction,
  CREDS,
  trackEventAction,
  transactionalAction,
  unsupportedAction,
  upsertAction,
} from './helpers.js';

function isCustomerIoFake(fake: FakePlatform): fake is CustomerIoFake {
  return 'trackUrl' in fake && 'appUrl' in fake;
}

const subject: ConformanceSubject = {
  name: 'customerio',
  makeFake: () => createCustomerIoFake({ ...CREDS, now: () => CONFORMANCE_NOW_MS }),
  makeAdapter(fake, { credentials, timeoutMs }) {
    if (!isCustomerIoFake(fake)) throw new TypeError('the Customer.io subject needs its own fake');
    return createCustomerIoAdapter({
      region: 'us',
      ...CREDS,
      ...(credentials === 'invalid' ? { trackApiKey: 'wrong', appApiKey: 'wrong' } : {}),
      baseUrls: { track: fake.trackUrl, app: fake.appUrl },
      timeoutMs,
    });
  },
  // The kit's fault checks use the first sample: a transactional send has no platform key, as the manifest's
  // `idempotency: 'none'` says, so a timeout or reset after it is applied must be IN_DOUBT.
  sampleActions: [transactionalAction, trackEventAction, upsertAction, broadcastAction],
  unsupportedAction,
};

runAdapterConformance(subject);

/**
 * The kit checks transport faults on the first sample only, with one idempotency mode per adapter. Customer.io
 * mixes them, so every sample is checked here against its own mode: keyed (`track_event`: the ULID event id) and
 * naturally idempotent (`upsert_contacts`: identify) actions are retryable and a same-key retry applies nothing
 * more; actions without a key (`trigger_broadcast`, `send_transactional`) are IN_DOUBT.
 */
const RETRY_SAFE: ReadonlySet<Action['type']> = new Set(['track_event', 'upsert_contacts']);

describe('customerio per-action idempotency under transport faults', () => {
  for (const sample of subject.sampleActions) {
    for (const kind of ['timeout', 'reset'] as const) {
      test(`${sample.type}: a ${kind} after apply`, { timeout: 10_000 }, async () => {
        await withConformanceServer(subject, async (run) => {
          await run.adapter.execute(sample, run.context('baseline'));
          const perExecution = run.fake.applied.length;
          run.fake.reset();
          run.fake.inject({ kind, applied: true });
          // A fresh adapter (as after a restart): the kit's clock is fixed, so the same adapter would refuse
          // a second trigger of the broadcast within 10 s before sending it.
          const adapter = run.makeAdapter('valid');
          const error = await adapter.execute(sample, run.context('k')).catch((e: unknown) => e);
          if (!isAdapterError(error))
            throw new Error(`expected an AdapterError, got ${String(error)}`);
          if (!RETRY_SAFE.has(sample.type)) {
            expect([error.code, error.retryable]).toEqual(['IN_DOUBT', false]);
            return;
          }
          const retryable: AdapterErrorCode[] = ['TIMEOUT', 'PLATFORM_UNAVAILABLE'];
          expect(retryable).toContain(error.code);
          expect(error.retryable).toBe(true);
          await adapter.execute(sample, run.context('k', { attempt: 2 }));
          expect(run.fake.applied).toHaveLength(perExecution);
        });
      });
    }
  }
});
