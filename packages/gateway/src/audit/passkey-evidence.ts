import { createHash, createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { canonicalJson } from '@handoff/protocol';

/*
 * Passkey approval evidence, checked with plain node:crypto (no WebAuthn library), so the offline verifier holds
 * the gateway to what W3C Web Authentication Level 3 says a relying party checks:
 * - section 7.2 (Verifying an Authentication Assertion): steps 11 (`type` is `webauthn.get`), 12 (the challenge),
 *   15 (`rpIdHash` is SHA-256 of the RP ID), 16 (the UP flag), 20-21 (the signature over
 *   `authenticatorData || SHA-256(clientDataJSON)` with the credential public key);
 * - section 6.1 (Authenticator Data): rpIdHash (32 bytes), flags (1 byte, bit 0 UP), signCount (4 bytes);
 * - section 6.5.5 (Signature formats): ES256 signatures are ASN.1 DER `Ecdsa-Sig-Value`; EdDSA raw (RFC 8032).
 * COSE keys (RFC 9052 section 7; RFC 9053 sections 2.1, 2.2, 7.1 and 7.2) are read by a small CBOR (RFC 8949)
 * reader for the one shape they have: a map of small integer labels to integers and byte strings.
 */

/** The payload of a passkey approval's evidence (stored as the approval's token, JSON). */
export const PASSKEY_EVIDENCE_KIND = 'PasskeyApproval';

/** What a passkey approval signed (`PasskeyStatement` of `@handoff/protocol`). */
export interface SignedStatement {
  planDigest: string;
  optionId: string;
  decision: string;
  maxSpend: { amountMinor: number; currency: string };
  expiresAt: string;
  viewDigest: string;
}

/**
 * A passkey approval's evidence: the statement whose hash is the challenge, the relying party id, and the
 * assertion as the browser returned it (base64url members of `AuthenticationResponseJSON`).
 */
export interface PasskeyEvidence {
  kind: typeof PASSKEY_EVIDENCE_KIND;
  statement: SignedStatement;
  rpId: string;
  /** The registered key's algorithm (`ES256` or `EdDSA`): which trusted key of the kid to judge by. */
  alg: 'ES256' | 'EdDSA';
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  /**
   * The reason the approver gave with the decision (read back by the copilot through `plans.get`, see
   * `approval-reason.ts`); not part of the signed statement.
   */
  reason?: string;
}

/** A registered credential's public key as a JWK, with the COSE algorithm it signs with. */
export type CredentialJwk = JsonWebKey & { kty: 'EC' | 'OKP'; alg: 'ES256' | 'EdDSA' };

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: string | Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** The challenge of a statement: SHA-256 over its RFC 8785 form (32 bytes). */
export function statementChallenge(statement: SignedStatement): Buffer {
  return sha256(canonicalJson(statement));
}

/**
 * The token id (`jti`) of a passkey approval: SHA-256 over the credential id, a dot and the challenge (base64url),
 * so one assertion is accepted once while two people may sign the same statement.
 */
export function passkeyTokenId(credentialId: string, challenge: Uint8Array): string {
  return sha256(`${credentialId}.${b64(challenge)}`).toString('base64url');
}

/** The approver registry kid of a passkey credential. */
export function passkeyKid(credentialId: string): string {
  return `webauthn:${credentialId}`;
}

type Cbor = number | Uint8Array | string | Map<Cbor, Cbor>;

/** Reads one CBOR item (RFC 8949 section 3: major types 0, 1, 2, 3 and 5, definite lengths) at `at`. */
function readCbor(bytes: Uint8Array, at: number): [Cbor, number] {
  const head = bytes[at];
  if (head === undefined) throw new Error('truncated CBOR');
  const major = head >> 5;
  const info = head & 0x1f;
  let value = info;
  let next = at + 1;
  if (info >= 24) {
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
    if (size === 0 || next + size > bytes.length) throw new Error('unsupported CBOR length');
    value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + (bytes[next + i] ?? 0);
    next += size;
  }
  if (major === 0) return [value, next];
  if (major === 1) return [-1 - value, next];
  if (major === 2 || major === 3) {
    if (next + value > bytes.length) throw new Error('truncated CBOR string');
    const slice = bytes.slice(next, next + value);
    return [major === 2 ? slice : new TextDecoder().decode(slice), next + value];
  }
  if (major === 5) {
    const map = new Map<Cbor, Cbor>();
    for (let i = 0; i < value; i++) {
      const [key, afterKey] = readCbor(bytes, next);
      const [item, afterItem] = readCbor(bytes, afterKey);
      map.set(key, item);
      next = afterItem;
    }
    return [map, next];
  }
  throw new Error(`unsupported CBOR major type ${major}`);
}

/**
 * The JWK of a COSE_Key (RFC 9052 section 7): EC2 P-256 with ES256 (kty 2, crv 1, alg -7; RFC 9053 sections 2.1
 * and 7.1) or OKP Ed25519 with EdDSA (kty 1, crv 6, alg -8; sections 2.2 and 7.2).
 *
 * @throws Error for any other key, or bytes that are not a COSE_Key.
 */
export function coseToJwk(cose: Uint8Array): CredentialJwk {
  const [key] = readCbor(cose, 0);
  if (!(key instanceof Map)) throw new Error('a COSE_Key is a CBOR map');
  const bytes = (label: number): string => {
    const value = key.get(label);
    if (!(value instanceof Uint8Array)) throw new Error(`COSE_Key label ${label} is missing`);
    return b64(value);
  };
  const [kty, alg, crv] = [key.get(1), key.get(3), key.get(-1)];
  if (kty === 2 && alg === -7 && crv === 1) {
    return { kty: 'EC', crv: 'P-256', x: bytes(-2), y: bytes(-3), alg: 'ES256' };
  }
  if (kty === 1 && alg === -8 && crv === 6) {
    return { kty: 'OKP', crv: 'Ed25519', x: bytes(-2), alg: 'EdDSA' };
  }
  throw new Error(`unsupported COSE key (kty ${String(kty)}, alg ${String(alg)})`);
}

/** True when a stored approval token is passkey evidence (JSON) rather than a compact JWS. */
export function isPasskeyEvidence(token: string): boolean {
  return token.startsWith('{');
}

/** Parses stored passkey evidence; undefined when it is not of that shape. */
export function parsePasskeyEvidence(token: string): PasskeyEvidence | undefined {
  try {
    const value = JSON.parse(token) as Partial<PasskeyEvidence> | null;
    const members = [
      'rpId',
      'alg',
      'credentialId',
      'authenticatorData',
      'clientDataJSON',
      'signature',
    ];
    if (value?.kind !== PASSKEY_EVIDENCE_KIND || typeof value.statement !== 'object') return;
    const record = value as Record<string, unknown>;
    return members.every((m) => typeof record[m] === 'string')
      ? (value as PasskeyEvidence)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a passkey assertion against the registered credential key (W3C WebAuthn L3 section 7.2, steps 11, 12,
 * 15, 16, 20 and 21; see the file comment): client data of type `webauthn.get` whose challenge is the
 * statement's, authenticator data for `rpId` with the user present, and the signature.
 *
 * @returns undefined when it verifies, else why not (for people; never a key or signature).
 */
export function verifyPasskeyAssertion(
  evidence: PasskeyEvidence,
  jwk: JsonWebKey,
): string | undefined {
  let client: { type?: unknown; challenge?: unknown };
  const clientBytes = Buffer.from(evidence.clientDataJSON, 'base64url');
  try {
    client = JSON.parse(clientBytes.toString('utf8'));
  } catch {
    return 'The client data is not JSON';
  }
  if (client.type !== 'webauthn.get') return 'The client data is not of type webauthn.get';
  if (client.challenge !== b64(statementChallenge(evidence.statement))) {
    return 'The client data challenge is not the hash of the signed statement';
  }
  const authData = Buffer.from(evidence.authenticatorData, 'base64url');
  if (authData.length < 37) return 'The authenticator data is shorter than 37 bytes';
  if (!authData.subarray(0, 32).equals(sha256(evidence.rpId))) {
    return 'The authenticator data is not for the relying party id';
  }
  if (((authData[32] ?? 0) & 0x01) === 0) return 'The authenticator data lacks the UP flag';
  const signed = Buffer.concat([authData, sha256(clientBytes)]);
  const signature = Buffer.from(evidence.signature, 'base64url');
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    const ok =
      jwk.kty === 'OKP'
        ? verify(null, signed, key, signature)
        : verify('sha256', signed, { key, dsaEncoding: 'der' }, signature);
    return ok ? undefined : 'The assertion signature does not verify with the registered key';
  } catch {
    return 'The assertion signature does not verify with the registered key';
  }
}
