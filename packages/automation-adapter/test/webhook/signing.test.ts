import { createHmac, generateKeyPairSync, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeWebhookSecret, encodeWebhookPublicKey, webhookMessageId } from '../../src/index.js';
import { resolvePublicKey, resolveSigningKey } from '../../src/webhook/webhook-keys.js';
import {
  isSafeMessageId,
  signWebhook,
  webhookHeaders,
} from '../../src/webhook/webhook-signature.js';

const v1 = (secret: string) => resolveSigningKey({ scheme: 'v1', secret });

describe('Standard Webhooks v1 signatures', () => {
  test('match the reference library vector', () => {
    // standard-webhooks/standard-webhooks libraries/javascript/src/webhook.test.ts, "sign function works".
    const signature = signWebhook(
      {
        id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        timestampSec: 1614265330,
        body: '{"test": 2432232314}',
      },
      [v1('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')],
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('equal HMAC-SHA256 of "id.timestamp.body" keyed by the decoded secret (node:crypto)', () => {
    const idChar = fc.constantFrom(...'abcXYZ019_-:~!'.split(''));
    fc.assert(
      fc.property(
        fc.string({ unit: idChar, minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.uint8Array({ minLength: 24, maxLength: 64 }),
        (id, timestampSec, body, secretBytes) => {
          const secret = `whsec_${Buffer.from(secretBytes).toString('base64')}`;
          const expected = createHmac('sha256', secretBytes)
            .update(Buffer.from(`${id}.${timestampSec}.${body}`, 'utf8'))
            .digest('base64');
          expect(signWebhook({ id, timestampSec, body }, [v1(secret)])).toBe(`v1,${expected}`);
        },
      ),
    );
  });

  test('list one entry per key, in order, for rotation', () => {
    const a = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const b = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;
    const input = { id: 'msg_1', timestampSec: 1700000000, body: '{}' };
    const both = signWebhook(input, [v1(a), v1(b)]).split(' ');
    expect(both).toEqual([signWebhook(input, [v1(a)]), signWebhook(input, [v1(b)])]);
  });

  test('headers carry the id, integer seconds and the signature', () => {
    const headers = webhookHeaders({ id: 'msg_2', timestampSec: 1700000001, body: 'x' }, [
      v1(`whsec_${Buffer.alloc(32, 3).toString('base64')}`),
    ]);
    expect(headers['webhook-id']).toBe('msg_2');
    expect(headers['webhook-timestamp']).toBe('1700000001');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });
});

describe('Standard Webhooks v1a signatures', () => {
  test('are Ed25519 over the same content, verifiable with the public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    for (const key of [privateKey, jwk]) {
      const signature = signWebhook({ id: 'msg_3', timestampSec: 1, body: 'héllo' }, [
        resolveSigningKey({ scheme: 'v1a', privateKey: key }),
      ]);
      expect(signature).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
      const raw = Buffer.from(signature.slice(4), 'base64');
      expect(verify(null, Buffer.from('msg_3.1.héllo', 'utf8'), publicKey, raw)).toBe(true);
    }
  });

  test('whpk_ public keys round-trip; public keys cannot sign', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const encoded = encodeWebhookPublicKey(publicKey);
    expect(encoded).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const resolved = resolvePublicKey(encoded);
    expect(resolved.scheme === 'v1a' && resolved.key.equals(publicKey)).toBe(true);
    expect(() => signWebhook({ id: 'm', timestampSec: 1, body: '' }, [resolved])).toThrow(
      RangeError,
    );
    expect(() => resolveSigningKey({ scheme: 'v1a', privateKey: publicKey })).toThrow(RangeError);
    expect(() => resolvePublicKey('whpk_AAAA')).toThrow(RangeError);
  });
});

describe('secrets and ids', () => {
  test('secrets need the whsec_ prefix, strict base64 and 24-64 bytes', () => {
    expect(decodeWebhookSecret(`whsec_${Buffer.alloc(24).toString('base64')}`)).toHaveLength(24);
    expect(decodeWebhookSecret(`whsec_${Buffer.alloc(64).toString('base64')}`)).toHaveLength(64);
    for (const bad of [
      Buffer.alloc(32).toString('base64'),
      `whsec_${Buffer.alloc(23).toString('base64')}`,
      `whsec_${Buffer.alloc(65).toString('base64')}`,
      'whsec_not base64!',
      'whsec_',
    ]) {
      expect(() => decodeWebhookSecret(bad), bad).toThrow(RangeError);
    }
  });

  test('message ids with ".", spaces or nothing are refused', () => {
    const key = [v1(`whsec_${Buffer.alloc(24).toString('base64')}`)];
    for (const id of ['a.b', 'a b', '', 'x'.repeat(257)]) {
      expect(isSafeMessageId(id)).toBe(false);
      expect(() => signWebhook({ id, timestampSec: 1, body: '' }, key)).toThrow(RangeError);
    }
    expect(() => signWebhook({ id: 'ok', timestampSec: 1.5, body: '' }, key)).toThrow(RangeError);
    expect(() => signWebhook({ id: 'ok', timestampSec: 1, body: '' }, [])).toThrow(RangeError);
  });

  test('idempotency keys become webhook ids: as is when safe, else a stable sha256_ digest', () => {
    expect(webhookMessageId('plan-1:opt-a:0')).toBe('plan-1:opt-a:0');
    const derived = webhookMessageId('sha256:abc.def/0');
    expect(derived).toMatch(/^sha256_[A-Za-z0-9_-]{43}$/);
    expect(webhookMessageId('sha256:abc.def/0')).toBe(derived);
    expect(isSafeMessageId(derived)).toBe(true);
  });
});
