import { createHmac, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  decodeWebhookSecret,
  decodeWebhookSigningKey,
  encodeWebhookPublicKey,
  encodeWebhookSigningKey,
  webhookMessageId,
} from '../../src/index.js';
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

describe("whsk_ signing keys (the spec's serialisation of the Ed25519 secret key)", () => {
  // RFC 8032 section 7.1, TEST 1: secret key, public key and the signature of the empty message.
  const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
  const SIGNATURE =
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
    '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
  const whsk = (hex: string) => `whsk_${Buffer.from(hex, 'hex').toString('base64')}`;

  test('decode the RFC 8032 key, as its 32-byte seed or the 64-byte seed-and-public form', () => {
    for (const encoded of [whsk(SEED), whsk(SEED + PUBLIC)]) {
      const key = decodeWebhookSigningKey(encoded);
      expect(sign(null, Buffer.alloc(0), key).toString('hex')).toBe(SIGNATURE);
      expect(encodeWebhookPublicKey(createPublicKey(key))).toBe(
        `whpk_${Buffer.from(PUBLIC, 'hex').toString('base64')}`,
      );
      expect(encodeWebhookSigningKey(key)).toBe(whsk(SEED));
    }
  });

  test('sign v1a entries when given to the adapter keys as a string', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = resolveSigningKey({
      scheme: 'v1a',
      privateKey: encodeWebhookSigningKey(privateKey),
    });
    const signature = signWebhook({ id: 'msg_4', timestampSec: 2, body: '{}' }, [key]);
    const raw = Buffer.from(signature.slice('v1a,'.length), 'base64');
    expect(verify(null, Buffer.from('msg_4.2.{}', 'utf8'), publicKey, raw)).toBe(true);
  });

  test('refuse another prefix, other lengths, bad base64 and a foreign public half', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x ?? '';
    for (const bad of [
      `whsec_${Buffer.from(SEED, 'hex').toString('base64')}`,
      whsk(SEED.slice(0, 62)),
      whsk(`${SEED}${PUBLIC}00`),
      'whsk_not base64!',
      `whsk_${Buffer.concat([Buffer.from(SEED, 'hex'), Buffer.from(other, 'base64url')]).toString('base64')}`,
    ]) {
      expect(() => decodeWebhookSigningKey(bad), bad).toThrow(RangeError);
    }
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
