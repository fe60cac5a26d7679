import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createKeySource, type KeySourceConfig } from '../../src/approvals/key-source.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { refusal, sign, verify } from './fixtures.js';

/** What the test JWKS server answers: a status and a JSON body, or nothing at all (to force a timeout). */
type Answer = { status: number; body: unknown } | 'hang';

let a: SigningKeyPair;
let b: SigningKeyPair;
let server: Server;
let base: string;
let answer: Answer;
let requests: number;

beforeAll(async () => {
  a = await generateSigningKeyPair({ alg: 'EdDSA' });
  b = await generateSigningKeyPair({ alg: 'ES256' });
});

beforeEach(async () => {
  requests = 0;
  answer = { status: 200, body: { keys: [a.publicJwk] } };
  server = createServer((_req, res) => {
    requests += 1;
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const urlSource = (extra: Partial<Extract<KeySourceConfig, { type: 'url' }>> = {}) =>
  createKeySource({ type: 'url', url: `${base}/.well-known/jwks.json`, ...extra });

describe('url key source (node:http on 127.0.0.1)', () => {
  test('rotates: a kid published after the first fetch is found by a refetch', async () => {
    const keys = urlSource({ cooldownMs: 0 });
    await verify(await sign(a), keys);
    expect(requests).toBe(1);
    await verify(await sign(a), keys);
    expect(requests).toBe(1);

    answer = { status: 200, body: { keys: [b.publicJwk] } };
    const verified = await verify(await sign(b), keys);
    expect(verified.publicJwk).toEqual(b.publicJwk);
    expect(keys.lastResolvedJwk(b.kid)).toEqual(b.publicJwk);
    expect(keys.lastResolvedJwk(a.kid)).toEqual(a.publicJwk);
    expect(requests).toBe(2);
  });

  test('within the cooldown an unknown kid does not refetch', async () => {
    const keys = urlSource({ cooldownMs: 60_000 });
    await verify(await sign(a), keys);
    answer = { status: 200, body: { keys: [a.publicJwk, b.publicJwk] } };
    expect((await refusal(verify(await sign(b), keys))).code).toBe('APPROVAL_UNKNOWN_KEY');
    expect(requests).toBe(1);
  });

  test('a served private key is refused; keys of other algorithms are skipped', async () => {
    answer = { status: 200, body: { keys: [a.publicJwk, b.privateJwk] } };
    const error = await refusal(verify(await sign(a), urlSource()));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).not.toContain(b.privateJwk.d);

    answer = { status: 200, body: { keys: [{ ...b.publicJwk, alg: 'EdDSA' }, a.publicJwk] } };
    const ignored: string[] = [];
    const keys = createKeySource(
      { type: 'url', url: `${base}/jwks` },
      { onIgnoredKey: (i) => ignored.push(i.reason) },
    );
    await verify(await sign(a), keys);
    expect((await refusal(verify(await sign(b), keys))).code).toBe('APPROVAL_UNKNOWN_KEY');
    expect(ignored[0]).toBe('kty/crv do not match alg EdDSA');
  });

  test('a non-200 answer, a redirect, or a timeout is KEY_SOURCE_UNAVAILABLE', async () => {
    const token = await sign(a);
    for (const status of [500, 404, 302]) {
      answer = { status, body: { keys: [a.publicJwk] } };
      const error = await refusal(verify(token, urlSource()));
      expect(error.code).toBe('KEY_SOURCE_UNAVAILABLE');
      expect(error.message).toContain(`HTTP ${status}`);
    }
    answer = 'hang';
    const timedOut = await refusal(verify(token, urlSource({ timeoutMs: 50 })));
    expect(timedOut.code).toBe('KEY_SOURCE_UNAVAILABLE');
    expect(timedOut.message).toContain('no answer within 50 ms');
  });

  test('an unreachable URL (a closed port on 127.0.0.1) is KEY_SOURCE_UNAVAILABLE', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const keys = createKeySource({ type: 'url', url: `http://127.0.0.1:${port}/jwks.json` });
    const error = await refusal(verify(await sign(a), keys));
    expect(error.code).toBe('KEY_SOURCE_UNAVAILABLE');
  });

  test('the fetch option replaces the global fetch', async () => {
    const seen: string[] = [];
    const keys = createKeySource(
      { type: 'url', url: 'https://keys.example.com/jwks.json' },
      {
        fetch: async (url) => {
          seen.push(url);
          return new Response(JSON.stringify({ keys: [a.publicJwk] }), { status: 200 });
        },
      },
    );
    await verify(await sign(a), keys);
    expect(seen).toEqual(['https://keys.example.com/jwks.json']);
  });
});

describe('url key source configuration', () => {
  test('durations must be non-negative (timeoutMs finite)', () => {
    const url = 'https://keys.example.com/jwks.json';
    for (const bad of [
      { cooldownMs: -1 },
      { timeoutMs: Number.POSITIVE_INFINITY },
      { cacheMaxAgeMs: Number.NaN },
    ]) {
      expect(() => createKeySource({ type: 'url', url, ...bad })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
    expect(() =>
      createKeySource({ type: 'url', url, cacheMaxAgeMs: Number.POSITIVE_INFINITY }),
    ).not.toThrow();
  });

  test('plain http is refused except to loopback hosts', () => {
    for (const url of [
      'http://example.com/jwks.json',
      'http://10.0.0.7/jwks.json',
      'http://127.0.0.1.nip.io/jwks.json',
      'ftp://127.0.0.1/jwks.json',
      'https://user:secret@keys.example.com/jwks.json',
      'not a url',
    ]) {
      const make = () => createKeySource({ type: 'url', url });
      expect(make).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
      expect(make).not.toThrow(/secret/);
    }
    for (const url of [
      'https://keys.example.com/jwks.json',
      'http://127.0.0.1:8080/jwks.json',
      'http://localhost/jwks.json',
      'http://[::1]:9000/jwks.json',
    ]) {
      expect(() => createKeySource({ type: 'url', url })).not.toThrow();
    }
  });
});
