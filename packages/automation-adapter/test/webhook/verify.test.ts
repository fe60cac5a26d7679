import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  encodeWebhookPublicKey,
  type VerifyWebhookOptions,
  verifyWebhook,
  WebhookVerificationError,
} from '../../src/index.js';
import { type ResolvedKey, resolveSigningKey } from '../../src/webhook/webhook-keys.js';
import { webhookHeaders } from '../../src/webhook/webhook-signature.js';

const OLD = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const NEW = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
const NOW_MS = 1_700_000_000_000;
const NOW_SEC = NOW_MS / 1000;
const BODY = '{"specversion":"1.0","id":"msg_1","data":{"a":1}}';

function signed(keys: ResolvedKey[], timestampSec = NOW_SEC, id = 'msg_1', body = BODY) {
  return webhookHeaders({ id, timestampSec, body }, keys);
}
const v1 = (secret: string) => resolveSigningKey({ scheme: 'v1', secret });

function codeOf(options: VerifyWebhookOptions): string | undefined {
  try {
    verifyWebhook(options);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
}

const base = (headers: Record<string, string>, extra: Partial<VerifyWebhookOptions> = {}) => ({
  headers,
  body: BODY,
  secret: OLD,
  now: () => NOW_MS,
  ...extra,
});

describe('verifyWebhook', () => {
  test('accepts a valid v1 webhook from Headers or a plain record, with any header case', () => {
    const headers = signed([v1(OLD)]);
    expect(verifyWebhook(base(headers))).toEqual({
      id: 'msg_1',
      timestampSec: NOW_SEC,
      scheme: 'v1',
    });
    expect(verifyWebhook(base({}, { headers: new Headers(headers) })).id).toBe('msg_1');
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook({ ...base(upper), body: Buffer.from(BODY) }).scheme).toBe('v1');
  });

  test('accepts the reference library vector', () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const result = verifyWebhook({
      headers,
      body: '{"test": 2432232314}',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      now: () => 1614265330 * 1000,
    });
    expect(result.id).toBe('msg_p5jXN8AQM9LWM0D4loKWxJek');
  });

  test('refuses bad, partial, tampered and foreign signatures', () => {
    const headers = signed([v1(OLD)]);
    const sig = headers['webhook-signature'] ?? '';
    const cases: Array<[string, VerifyWebhookOptions]> = [
      ['bad', base({ ...headers, 'webhook-signature': 'v1,dawfeoifkpqwoekfpqoekf' })],
      ['partial', base({ ...headers, 'webhook-signature': sig.slice(0, 8) })],
      ['empty entry', base({ ...headers, 'webhook-signature': 'v1,' })],
      ['tampered body', base(headers, { body: BODY.replace('"a":1', '"a":2') })],
      ['tampered id', base({ ...headers, 'webhook-id': 'msg_2' })],
      ['other timestamp', base({ ...headers, 'webhook-timestamp': String(NOW_SEC - 1) })],
      ['other secret', base(headers, { secret: NEW })],
      [
        'v1 signature, only a public key trusted',
        base(headers, { secret: [], publicKey: generateKeyPairSync('ed25519').publicKey }),
      ],
    ];
    for (const [name, options] of cases)
      expect(codeOf(options), name).toBe('NO_MATCHING_SIGNATURE');
  });

  test('refuses any single-byte change of the signature', () => {
    const headers = signed([v1(OLD)]);
    const raw = Buffer.from((headers['webhook-signature'] ?? '').slice(3), 'base64');
    fc.assert(
      fc.property(fc.nat({ max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, delta) => {
        const changed = Buffer.from(raw);
        changed[i] = ((changed[i] ?? 0) + delta) % 256;
        const sig = `v1,${changed.toString('base64')}`;
        expect(codeOf(base({ ...headers, 'webhook-signature': sig }))).toBe(
          'NO_MATCHING_SIGNATURE',
        );
      }),
    );
  });

  test('enforces the timestamp tolerance both ways (default 300 s)', () => {
    expect(codeOf(base(signed([v1(OLD)], NOW_SEC - 300)))).toBeUndefined();
    expect(codeOf(base(signed([v1(OLD)], NOW_SEC + 300)))).toBeUndefined();
    expect(codeOf(base(signed([v1(OLD)], NOW_SEC - 301)))).toBe('TIMESTAMP_TOO_OLD');
    expect(codeOf(base(signed([v1(OLD)], NOW_SEC + 301)))).toBe('TIMESTAMP_TOO_NEW');
    expect(codeOf(base(signed([v1(OLD)], NOW_SEC - 61), { toleranceSec: 60 }))).toBe(
      'TIMESTAMP_TOO_OLD',
    );
    // Stale and badly signed: the timestamp is reported first.
    const stale = { ...signed([v1(OLD)], NOW_SEC - 3600), 'webhook-signature': 'v1,AAAA' };
    expect(codeOf(base(stale))).toBe('TIMESTAMP_TOO_OLD');
  });

  test('supports key rotation on both sides', () => {
    // Sender signs with the new and the old key during the rotation.
    const both = signed([v1(NEW), v1(OLD)]);
    expect(codeOf(base(both, { secret: OLD }))).toBeUndefined();
    expect(codeOf(base(both, { secret: NEW }))).toBeUndefined();
    // Receiver trusts both while the sender switches.
    expect(codeOf(base(signed([v1(NEW)]), { secret: [OLD, NEW] }))).toBeUndefined();
    const third = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    expect(codeOf(base(signed([v1(third)]), { secret: [OLD, NEW] }))).toBe('NO_MATCHING_SIGNATURE');
  });

  test('ignores entries of unknown schemes', () => {
    const headers = signed([v1(OLD)]);
    const sig = `v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= junk ${headers['webhook-signature']}`;
    expect(codeOf(base({ ...headers, 'webhook-signature': sig }))).toBeUndefined();
  });

  test('verifies v1a with a whpk_ key, a JWK or a KeyObject, and refuses other keys', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const headers = signed([resolveSigningKey({ scheme: 'v1a', privateKey })]);
    for (const key of [
      encodeWebhookPublicKey(publicKey),
      publicKey.export({ format: 'jwk' }),
      publicKey,
    ]) {
      expect(verifyWebhook(base(headers, { secret: [], publicKey: key })).scheme).toBe('v1a');
    }
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(codeOf(base(headers, { secret: [], publicKey: other }))).toBe('NO_MATCHING_SIGNATURE');
    expect(codeOf(base(headers, { publicKey: [other, publicKey] }))).toBeUndefined();
  });

  test('reports missing and malformed headers', () => {
    const headers = signed([v1(OLD)]);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _dropped, ...rest } = headers;
      expect(codeOf(base(rest)), name).toBe('MISSING_HEADER');
    }
    for (const ts of ['hello', '1.5', '-1', ' 17']) {
      expect(codeOf(base({ ...headers, 'webhook-timestamp': ts })), ts).toBe('INVALID_HEADER');
    }
    const repeated = { ...headers, 'webhook-id': ['msg_1', 'msg_2'] };
    expect(codeOf({ ...base({}), headers: repeated })).toBe('INVALID_HEADER');
  });

  test('reports an unusable key configuration as INVALID_KEY', () => {
    const headers = signed([v1(OLD)]);
    expect(codeOf(base(headers, { secret: [] }))).toBe('INVALID_KEY');
    expect(codeOf(base(headers, { secret: 'whsec_c2hvcnQ=' }))).toBe('INVALID_KEY');
    expect(codeOf(base(headers, { secret: [], publicKey: 'whpk_nope' }))).toBe('INVALID_KEY');
  });
});
