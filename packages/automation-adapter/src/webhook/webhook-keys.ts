import { createPrivateKey, createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto';

/**
 * Key material of the Standard Webhooks signature schemes
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md, "Signature scheme"):
 * - `v1` (symmetric): HMAC-SHA256 with a random secret of 24 to 64 bytes, serialised as `whsec_` + base64;
 * - `v1a` (asymmetric): Ed25519, the private key on the sender (`whsk_` + base64, a JWK or a `KeyObject`), the
 *   public key (`whpk_` + base64 of the raw 32 bytes, a JWK or a `KeyObject`) on the receiver.
 */
export type WebhookScheme = 'v1' | 'v1a';

/**
 * How a sender signs: a `whsec_` secret (`v1`) or an Ed25519 private key (`v1a`) as `whsk_<base64>` (see
 * {@link decodeWebhookSigningKey}), a JWK or a `KeyObject`.
 */
export type WebhookSigningKey =
  | { scheme: 'v1'; secret: string }
  | { scheme: 'v1a'; privateKey: string | JsonWebKey | KeyObject };

/** An Ed25519 public key a receiver trusts: `whpk_<base64 of the raw 32 bytes>`, a JWK or a `KeyObject`. */
export type WebhookPublicKey = string | JsonWebKey | KeyObject;

/** A usable key: the decoded HMAC secret, or an Ed25519 `KeyObject`. */
export type ResolvedKey =
  | { scheme: 'v1'; secret: Uint8Array }
  | { scheme: 'v1a'; key: KeyObject; type: 'private' | 'public' };

const SECRET_PREFIX = 'whsec_';
const SIGNING_KEY_PREFIX = 'whsk_';
const PUBLIC_KEY_PREFIX = 'whpk_';
/** The PKCS#8 DER prefix of an Ed25519 private key (RFC 8410 section 7), followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The spec's bounds on a symmetric secret: at least 24 bytes (192 bits), at most 64 bytes (512 bits). */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

function strictBase64(text: string, what: string): Buffer {
  if (!BASE64.test(text) || text.length % 4 !== 0) throw new RangeError(`${what} is not base64`);
  return Buffer.from(text, 'base64');
}

/**
 * Decodes a `whsec_<base64>` secret into its HMAC key bytes.
 * @throws RangeError without the `whsec_` prefix, when not base64, or outside 24-64 bytes.
 */
export function decodeWebhookSecret(secret: string): Uint8Array {
  if (!secret.startsWith(SECRET_PREFIX))
    throw new RangeError('A webhook secret starts with "whsec_"');
  const bytes = strictBase64(secret.slice(SECRET_PREFIX.length), 'The webhook secret');
  if (bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES) {
    throw new RangeError(
      `A webhook secret has ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, not ${bytes.length}`,
    );
  }
  return new Uint8Array(bytes);
}

function ed25519(key: KeyObject, type: 'private' | 'public'): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== type) {
    throw new RangeError(`Expected an Ed25519 ${type} key`);
  }
  return key;
}

/**
 * Resolves a sender's signing key.
 * @throws RangeError when the secret or the private key is unusable (see {@link decodeWebhookSecret}).
 */
export function resolveSigningKey(signing: WebhookSigningKey): ResolvedKey {
  if (signing.scheme === 'v1') return { scheme: 'v1', secret: decodeWebhookSecret(signing.secret) };
  const { privateKey } = signing;
  let key: KeyObject;
  if (privateKey instanceof KeyObject) key = privateKey;
  else if (typeof privateKey === 'string') key = decodeWebhookSigningKey(privateKey);
  else key = createPrivateKey({ key: privateKey, format: 'jwk' });
  return { scheme: 'v1a', key: ed25519(key, 'private'), type: 'private' };
}

/**
 * Decodes a `whsk_<base64>` Ed25519 signing key (the spec's serialisation of the asymmetric secret key) into a
 * private `KeyObject`. The spec does not fix the byte layout, so both common ones are accepted: the 32-byte
 * private key of RFC 8032 (the seed), or the 64-byte NaCl/libsodium form (seed then public key), whose public half
 * must match the seed's.
 * @throws RangeError without the `whsk_` prefix, when not base64, of another length, or with a foreign public half.
 */
export function decodeWebhookSigningKey(signingKey: string): KeyObject {
  if (!signingKey.startsWith(SIGNING_KEY_PREFIX))
    throw new RangeError('A webhook signing key starts with "whsk_"');
  const bytes = strictBase64(
    signingKey.slice(SIGNING_KEY_PREFIX.length),
    'The webhook signing key',
  );
  if (bytes.length !== 32 && bytes.length !== 64) {
    throw new RangeError(`An Ed25519 signing key has 32 (or 64) bytes, not ${bytes.length}`);
  }
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  if (bytes.length === 64) {
    const derived = Buffer.from(
      createPublicKey(key).export({ format: 'jwk' }).x ?? '',
      'base64url',
    );
    if (!derived.equals(bytes.subarray(32))) {
      throw new RangeError('The public half of the 64-byte signing key does not match its seed');
    }
  }
  return key;
}

/** The `whsk_` serialisation of an Ed25519 private key: base64 of its 32-byte RFC 8032 private key (the seed). */
export function encodeWebhookSigningKey(privateKey: KeyObject): string {
  const jwk = ed25519(privateKey, 'private').export({ format: 'jwk' });
  return `${SIGNING_KEY_PREFIX}${Buffer.from(jwk.d ?? '', 'base64url').toString('base64')}`;
}

/**
 * Resolves a receiver's trusted Ed25519 public key.
 * @throws RangeError when it is not an Ed25519 public key (a `whpk_` value must decode to 32 bytes).
 */
export function resolvePublicKey(publicKey: WebhookPublicKey): ResolvedKey {
  let key: KeyObject;
  if (publicKey instanceof KeyObject) key = publicKey;
  else if (typeof publicKey === 'string') {
    if (!publicKey.startsWith(PUBLIC_KEY_PREFIX))
      throw new RangeError('A webhook public key starts with "whpk_"');
    const raw = strictBase64(publicKey.slice(PUBLIC_KEY_PREFIX.length), 'The webhook public key');
    if (raw.length !== 32) throw new RangeError('An Ed25519 public key has 32 bytes');
    key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } else key = createPublicKey({ key: publicKey, format: 'jwk' });
  return { scheme: 'v1a', key: ed25519(key, 'public'), type: 'public' };
}

/** The `whpk_` serialisation of an Ed25519 public key (base64 of its raw 32 bytes), to hand to receivers. */
export function encodeWebhookPublicKey(publicKey: KeyObject): string {
  const jwk = ed25519(publicKey, 'public').export({ format: 'jwk' });
  return `${PUBLIC_KEY_PREFIX}${Buffer.from(jwk.x ?? '', 'base64url').toString('base64')}`;
}
