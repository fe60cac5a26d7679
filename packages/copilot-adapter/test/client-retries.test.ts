import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HandoffClient } from '../src/index.js';
import { clientOf, freshPlan, rejection, scriptedFetch } from './support/client-helpers.js';
import { fakeTime, type ServedGateway, serveGateway } from './support/gateway.js';

/** Retries of transient failures, with an injected fetch in front of a real gateway and fake sleeps. */
let gw: ServedGateway;
let apiKey: string;

beforeAll(async () => {
  gw = await serveGateway();
  apiKey = gw.harness.callers.copilot.apiKey;
});
afterAll(() => gw?.close());

const client = (extra: Parameters<typeof clientOf>[1] = {}) => clientOf(gw, extra);

describe('retries', () => {
  test('a fetch that fails twice with a network error, then succeeds', async () => {
    const time = fakeTime();
    const scripted = scriptedFetch(['network', 'network', 'real']);
    const c = new HandoffClient({
      url: gw.url,
      credential: apiKey,
      fetch: scripted.fetch,
      sleep: time.sleep,
      clock: time.clock,
      retry: { attempts: 3, baseDelayMs: 100 },
      random: () => 0.5,
    });
    const plan = freshPlan();
    await expect(c.submit(plan)).resolves.toMatchObject({ planId: plan.planId, created: true });
    expect(scripted.calls).toEqual([
      'POST /plans.submit',
      'POST /plans.submit',
      'POST /plans.submit',
    ]);
    // Equal jitter: half of 100 * 2^(n-1) fixed, half random (0.5 here).
    expect(time.sleeps).toEqual([75, 150]);
  });

  test('503 KEY_SOURCE_UNAVAILABLE is retried; when it persists the error keeps code and status', async () => {
    const recovering = scriptedFetch([503, 'real']);
    await expect(client({ fetch: recovering.fetch }).health()).resolves.toMatchObject({
      status: 'ok',
    });
    expect(recovering.calls).toHaveLength(2);

    const down = scriptedFetch([503, 503, 503]);
    const error = await rejection(client({ fetch: down.fetch }).health());
    expect(error).toMatchObject({
      code: 'KEY_SOURCE_UNAVAILABLE',
      httpStatus: 503,
      retryable: true,
    });
    expect(down.calls).toHaveLength(3);
  });

  test("a proxy's HTML 502 keeps its status; a 429 waits at least its Retry-After", async () => {
    const proxy = scriptedFetch([502, 502, 502]);
    expect(await rejection(client({ fetch: proxy.fetch }).health())).toMatchObject({
      code: 'HTTP_ERROR',
      httpStatus: 502,
      retryable: true,
    });
    const time = fakeTime();
    const limited = scriptedFetch([429, 'real']);
    await client({ fetch: limited.fetch, sleep: time.sleep }).health();
    expect(time.sleeps).toEqual([expect.any(Number)]);
    expect(time.sleeps[0]).toBeGreaterThanOrEqual(2000);
  });

  test('reads a JSON error body whatever its content-type says', async () => {
    const mislabelled = async (url: string, init: RequestInit) => {
      const answer = await fetch(url, {
        ...init,
        headers: { ...init.headers, 'content-type': 'text/plain' },
      });
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      return answer;
    };
    expect(await rejection(client({ fetch: mislabelled }).submit(freshPlan()))).toMatchObject({
      code: 'VALIDATION_FAILED',
      httpStatus: 415,
      retryable: false,
    });
  });

  test('an unreachable gateway ends in NETWORK after every attempt', async () => {
    const other = await serveGateway();
    const url = other.url;
    await other.close();
    const time = fakeTime();
    const c = new HandoffClient({
      url,
      credential: apiKey,
      sleep: time.sleep,
      retry: { attempts: 4, baseDelayMs: 10 },
    });
    const error = await rejection(c.health());
    expect(error).toMatchObject({ code: 'NETWORK', retryable: true, httpStatus: undefined });
    expect(time.sleeps).toHaveLength(3);
  });

  test('retry: false makes one attempt; a bad policy is refused', async () => {
    const scripted = scriptedFetch(['network']);
    expect((await rejection(client({ fetch: scripted.fetch, retry: false }).health())).code).toBe(
      'NETWORK',
    );
    expect(scripted.calls).toHaveLength(1);
    expect(() => client({ retry: { attempts: 0 } })).toThrow(RangeError);
    expect(() => client({ url: 'ftp://example.com' })).toThrow(TypeError);
  });

  test('an abort during the wait between attempts stops the retries at once', async () => {
    const time = fakeTime();
    const controller = new AbortController();
    const sleep = async (ms: number, signal?: AbortSignal) => {
      controller.abort(new DOMException('copilot shutting down', 'AbortError'));
      await time.sleep(ms, signal);
    };
    const scripted = scriptedFetch(['network', 'network', 'real']);
    const c = client({ fetch: scripted.fetch, sleep, retry: { attempts: 3 } });
    expect((await rejection(c.health({ signal: controller.signal }))).code).toBe('ABORTED');
    expect(scripted.calls).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  test('an aborted call rejects with ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await rejection(client().health({ signal: controller.signal }))).code).toBe('ABORTED');
  });
});
