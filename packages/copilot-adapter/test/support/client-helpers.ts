import { expect } from 'vitest';
import { HandoffClient, HandoffClientError, type HandoffClientOptions } from '../../src/index.js';
import { cardPlan } from './fixtures.js';
import { fakeTime, type ServedGateway } from './gateway.js';

let serial = 0;

/** A distinct, valid plan per call (plan ids are unique per gateway): the card plan with a new planId. */
export function freshPlan() {
  serial += 1;
  const plan = cardPlan();
  plan.planId = `01a1fd51-16d9-7c3a-9b2e-${serial.toString(16).padStart(12, '0')}`;
  return plan;
}

/** A client of `gw` as its copilot, on fake time, with `extra` options on top. */
export function clientOf(gw: ServedGateway, extra: Partial<HandoffClientOptions> = {}) {
  const time = fakeTime();
  return new HandoffClient({
    url: gw.url,
    credential: gw.harness.callers.copilot.apiKey,
    clock: time.clock,
    sleep: time.sleep,
    ...extra,
  });
}

/** A fetch that records each call and can be told to fail before delegating to the real one. */
export function scriptedFetch(script: ('network' | 503 | 502 | 429 | 'real')[]) {
  const calls: string[] = [];
  const fetchLike = async (url: string, init: RequestInit): Promise<Response> => {
    const step = script[calls.length] ?? 'real';
    calls.push(`${init.method} ${new URL(url).pathname}`);
    if (step === 'network') throw new TypeError('fetch failed');
    if (step === 503) {
      const body = {
        error: {
          message: 'The approver key set did not answer in time',
          code: -32603,
          data: {
            code: 'SERVICE_UNAVAILABLE',
            httpStatus: 503,
            handoff: {
              protocolVersion: '1.0',
              kind: 'ErrorEnvelope',
              code: 'KEY_SOURCE_UNAVAILABLE',
              message: 'The approver key set did not answer in time',
              issues: [],
            },
          },
        },
      };
      return new Response(JSON.stringify(body), {
        status: 503,
        headers: { 'content-type': 'application/json' },
      });
    }
    if (step === 502)
      return new Response('<html>Bad gateway</html>', {
        status: 502,
        headers: { 'content-type': 'text/html' },
      });
    if (step === 429)
      return new Response('slow down', { status: 429, headers: { 'retry-after': '2' } });
    return fetch(url, init);
  };
  return { calls, fetch: fetchLike };
}

export async function rejection(run: Promise<unknown>): Promise<HandoffClientError> {
  const error = await run.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HandoffClientError);
  return error as HandoffClientError;
}
