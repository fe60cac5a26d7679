import { createPrivateKey, createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto';

/**
 * Key material of the Standard Webhooks signature schemes
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md, "Signature scheme"):
 * - `v1` (symmetric): HMAC-SHA256 with a random secret of 24 to 64 bytes, serialised as `whsec_` + base64;
 * - `v1a` (asymmetric): Ed25519, the private key on the sender, the public key (`whpk_` + base64 of the raw 32
 *   bytes, a JWK or a `KeyObject`) on the receiver.
 */
export type WebhookScheme = 'v1' | 'v1a';

/** How a sender signs: a `whsec_` secret (`v1`) or an Ed25519 private key as a JWK or a `KeyObject` (`v1a`). */
export type WebhookSigningKey =
  | { scheme: 'v1'; secret: string }
  | { scheme: 'v1a'; privateKey: JsonWebKey | KeyObject };

/** An Ed25519 public key a receiver trusts: `whpk_<base64 of the raw 32 bytes>`, a JWK or a `KeyObject`. */
export type WebhookPublicKey = string | JsonWebKey | KeyObject;

/** A usable key: the decoded HMAC secret, or an Ed25519 `KeyObject`. */
export type ResolvedKey =
  | { scheme: 'v1'; secret: Uint8Array }
  | { scheme: 'v1a'; key: KeyObject; type: 'private' | 'public' };

const SECRET_PREFIX = 'whsec_';
const PUBLIC_KEY_PREFIX = 'whpk_';
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
  const key =
    signing.privateKey instanceof KeyObject
      ? signing.privateKey
      : createPrivateKey({ key: signing.privateKey, format: 'jwk' });
  return { scheme: 'v1a', key: ed25519(key, 'private'), type: 'private' };
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
