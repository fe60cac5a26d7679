import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Admission } from '../../src/api/admission.js';
import { startHttpServer } from '../../src/api/http-server.js';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { httpClient } from './http-fixture.js';

/**
 * Admission control of the HTTP server: at most `maxConcurrentRequests` requests are worked on, the others wait
 * first in first out with their bodies unread, and a waiting request whose connection closed never starts.
 */

/** A request and response pair that only emits what the test tells it to. */
function exchange() {
  const req = Object.assign(new EventEmitter(), { destroyed: false });
  const res = Object.assign(new EventEmitter(), { destroyed: false });
  return {
    req: req as unknown as IncomingMessage,
    res: res as unknown as ServerResponse,
    finish: () => res.emit('close'),
    abort: () => {
      req.destroyed = true;
      res.destroyed = true;
    },
  };
}

describe('Admission', () => {
  test('admits up to the limit, then one waiting request per closed one, in arrival order', () => {
    const admission = new Admission(2);
    const started: number[] = [];
    const requests = [0, 1, 2, 3].map((n) => {
      const x = exchange();
      admission.admit(x.req, x.res, () => started.push(n));
      return x;
    });
    expect(started).toEqual([0, 1]);
    expect([admission.active, admission.waiting]).toEqual([2, 2]);
    requests[1]?.finish();
    expect(started).toEqual([0, 1, 2]);
    requests[0]?.finish();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const x of requests.slice(2)) x.finish();
    expect([admission.active, admission.waiting]).toEqual([0, 0]);
  });

  test('a request whose connection closed while waiting is skipped', () => {
    const admission = new Admission(1);
    const started: string[] = [];
    const first = exchange();
    const gone = exchange();
    const next = exchange();
    admission.admit(first.req, first.res, () => started.push('first'));
    admission.admit(gone.req, gone.res, () => started.push('gone'));
    admission.admit(next.req, next.res, () => started.push('next'));
    gone.abort();
    first.finish();
    expect(started).toEqual(['first', 'next']);
    expect(admission.active).toBe(1);
  });

  test('the limit is a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => new Admission(bad)).toThrow(RangeError);
  });
});

describe('a server working on one request at a time', () => {
  let harness: Harness;
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    harness = await createHarness();
    const server = await startHttpServer({
      gateway: harness.gateway,
      authenticator: harness.runtime.authenticator,
      maxConcurrentRequests: 1,
    });
    url = server.url;
    close = server.close;
  });
  afterAll(async () => {
    await close?.();
    await harness?.close();
  });

  test('answers every concurrent request, each body read whole once admitted', async () => {
    const copilot = httpClient(url, harness.callers.copilot.apiKey);
    const plans = [0, 1, 2, 3, 4].map((n) => {
      const plan = fixturePlan();
      plan.planId = `019a8f2e-5c4b-7d3e-9a1f-a0000000000${n}`;
      return plan;
    });
    const answers = await Promise.all(plans.map((plan) => copilot.plans.dryRun.mutate({ plan })));
    expect(answers.map((a) => a.planId)).toEqual(plans.map((p) => p.planId));
    const health = await httpClient(url).health.query();
    expect(health.status).toBe('ok');
  });
});
