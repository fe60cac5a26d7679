import { canonicalJson, sha256Digest } from '@handoff/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalText, jcsDigest } from '../src/lib/digest.js';
import { formatMoney, parseMinor, timeLeft } from '../src/lib/format.js';
import {
  CSRF_HEADER,
  type Fetch,
  mutate,
  query,
  RpcError,
  setCsrfToken,
  useFetch,
} from '../src/lib/rpc.js';

describe('the view digest the console signs', () => {
  const view = {
    b: [1, 2.5, 'é', { z: null, a: true }],
    a: 'x',
    n: 1e21,
    amountMinor: 120_000,
  };

  it('is the RFC 8785 SHA-256 digest the gateway computes (protocol canonicalJson + sha256Digest)', async () => {
    expect(canonicalText(view)).toBe(canonicalJson(view));
    expect(await jcsDigest(view)).toBe(sha256Digest(canonicalJson(view)));
  });

  it('changes when any rendered field changes', async () => {
    expect(await jcsDigest({ ...view, amountMinor: 120_001 })).not.toBe(await jcsDigest(view));
  });
});

describe('the RPC module', () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const answer =
    (body: unknown, status = 200): Fetch =>
    async (url, init) => {
      calls.push({ url, init });
      return new Response(JSON.stringify(body), { status });
    };
  let previous: Fetch | undefined;
  afterEach(() => {
    if (previous) useFetch(previous);
    calls.length = 0;
    setCsrfToken(undefined);
  });

  it('sends the CSRF token on mutations only, with the session cookie (same origin)', async () => {
    previous = useFetch(answer({ result: { data: { signedOut: true } } }));
    setCsrfToken('csrf-123');
    await mutate('session.signOut');
    await query('plans.list', { limit: 5 });
    const [post, get] = calls;
    expect(post?.url).toBe('/session.signOut');
    expect(post?.init.method).toBe('POST');
    expect(new Headers(post?.init.headers).get(CSRF_HEADER)).toBe('csrf-123');
    expect(post?.init.credentials).toBe('same-origin');
    expect(get?.url).toBe(`/plans.list?input=${encodeURIComponent('{"limit":5}')}`);
    expect(get?.init.method).toBe('GET');
    expect(new Headers(get?.init.headers).has(CSRF_HEADER)).toBe(false);
  });

  it('turns a refusal into an RpcError with the gateway code', async () => {
    const handoff = { code: 'APPROVAL_VIEW_MISMATCH', message: 'view changed', issues: [] };
    previous = useFetch(answer({ error: { message: 'no', data: { handoff } } }, 409));
    const refusal = await mutate('session.signOut').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RpcError);
    expect(refusal).toMatchObject({
      code: 'APPROVAL_VIEW_MISMATCH',
      status: 409,
      message: 'view changed',
    });
  });
});

describe('formatting', () => {
  it('reads decimal amounts into minor units and refuses what is not one', () => {
    expect(parseMinor('1200.5', 'EUR')).toBe(120_050);
    expect(parseMinor('1200', 'JPY')).toBe(1200);
    expect(parseMinor('1.234', 'EUR')).toBeUndefined();
    expect(parseMinor('-3', 'EUR')).toBeUndefined();
    expect(formatMoney({ amountMinor: 120_050, currency: 'EUR' })).toBe('€1,200.50');
  });

  it('counts down to a deadline', () => {
    const now = Date.parse('2026-11-21T09:30:00Z');
    expect(timeLeft('2026-11-21T11:35:09Z', now)).toBe('2h 05m 09s');
    expect(timeLeft('2026-11-21T09:29:00Z', now)).toBe('passed');
  });
});
