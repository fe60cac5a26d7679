import { type CryptoKey, importJWK, type JWK } from 'jose';
import { GatewayError } from '../errors.js';
import {
  ALLOWED_ALGORITHMS,
  type AllowedAlgorithm,
  algorithmForJwk,
  hasPrivateMembers,
  isAllowedAlgorithm,
} from './signing-keys.js';

/**
 * A public approver key as the gateway keeps it (RFC 7517): only the public members (`kty`, `crv`, `x`, and `y`
 * for EC), plus a `kid`, the one `alg` it may verify, and `use: "sig"`. This is the JWK recorded for audit.
 */
export interface VerificationJwk extends JWK {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
  kid: string;
  alg: AllowedAlgorithm;
  use: 'sig';
}

/** A JWKS member that was skipped, and why (for operators: a silently skipped key looks like an unknown kid). */
export interface IgnoredKey {
  /** Where the JWKS came from, e.g. `file /etc/handoff/approvers.jwks.json`. */
  source: string;
  /** The member's index in `keys`. */
  index: number;
  /** The member's `kid`, when it is a string. */
  kid?: string;
  reason: string;
}

/** Options of {@link normalizeJwks}. */
export interface NormalizeJwksOptions {
  /** Names the JWKS in errors and {@link IgnoredKey} reports. */
  source: string;
  /** Called for each member that is skipped. */
  onIgnoredKey?: (ignored: IgnoredKey) => void;
}

const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

/** Why a (public) member cannot verify approvals, or `undefined` when it can. */
function unusableReason(jwk: Record<string, unknown>): string | undefined {
  if (typeof jwk.kid !== 'string' || jwk.kid === '') return 'no kid';
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'use is not "sig"';
  if (
    jwk.key_ops !== undefined &&
    !(Array.isArray(jwk.key_ops) && (jwk.key_ops as unknown[]).includes('verify'))
  ) {
    return 'key_ops does not include "verify"';
  }
  if (jwk.alg !== undefined && !isAllowedAlgorithm(jwk.alg)) {
    return `alg is not one of ${ALLOWED_ALGORITHMS}`;
  }
  const implied = algorithmForJwk(jwk);
  if (implied === undefined) return 'kty/crv is neither OKP Ed25519 nor EC P-256';
  if (jwk.alg !== undefined && jwk.alg !== implied) return `kty/crv do not match alg ${jwk.alg}`;
  if (typeof jwk.x !== 'string' || !BASE64URL_32_BYTES.test(jwk.x)) return 'x is malformed';
  if (implied === 'ES256' && (typeof jwk.y !== 'string' || !BASE64URL_32_BYTES.test(jwk.y))) {
    return 'y is malformed';
  }
  return undefined;
}

/**
 * Validates a JWK Set (RFC 7517 section 5) for approval verification and returns its usable keys, reduced to
 * {@link VerificationJwk}. A member without `alg` gets the one its `kty`/`crv` imply.
 *
 * Skipped (reported to `onIgnoredKey`): members that are not objects, have no `kid`, have a `use` other than
 * `sig` or `key_ops` without `verify`, an `alg` outside {@link ALLOWED_ALGORITHMS}, or a `kty`/`crv` that does
 * not match it (Ed25519 OKP for EdDSA, EC P-256 for ES256).
 *
 * @throws GatewayError `CONFIG_INVALID` when `input` is not `{ keys: [...] }`, when any member carries private or
 *   secret material (`d`, `k`, ...: private keys are never loaded as verification keys), or when two usable
 *   members share a `kid`. The message names the member's index, never its key material.
 */
export function normalizeJwks(input: unknown, options: NormalizeJwksOptions): VerificationJwk[] {
  const { source } = options;
  if (typeof input !== 'object' || input === null || !('keys' in input)) {
    throw new GatewayError('CONFIG_INVALID', `${source} is not a JWK Set ({ "keys": [...] })`);
  }
  const members: unknown = input.keys;
  if (!Array.isArray(members)) {
    throw new GatewayError('CONFIG_INVALID', `${source}: "keys" is not an array`);
  }
  const usable: VerificationJwk[] = [];
  const seen = new Set<string>();
  members.forEach((member: unknown, index) => {
    if (typeof member !== 'object' || member === null || Array.isArray(member)) {
      options.onIgnoredKey?.({ source, index, reason: 'not an object' });
      return;
    }
    const jwk = member as Record<string, unknown>;
    const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
    if (hasPrivateMembers(jwk)) {
      throw new GatewayError(
        'CONFIG_INVALID',
        `${source}: keys[${index}] holds private key material; a verification key set must hold public keys only`,
        {
          issues: [{ path: `/keys/${index}`, code: 'PRIVATE_KEY_IN_JWKS', message: 'private key' }],
        },
      );
    }
    const reason = unusableReason(jwk);
    if (reason !== undefined || kid === undefined) {
      options.onIgnoredKey?.({ source, index, kid, reason: reason ?? 'no kid' });
      return;
    }
    if (seen.has(kid)) {
      throw new GatewayError(
        'CONFIG_INVALID',
        `${source}: kid ${JSON.stringify(kid)} is repeated`,
        {
          issues: [{ path: `/keys/${index}/kid`, code: 'DUPLICATE_KID', message: 'repeated kid' }],
        },
      );
    }
    seen.add(kid);
    usable.push(toVerificationJwk(jwk, kid));
  });
  return usable;
}

function toVerificationJwk(jwk: Record<string, unknown>, kid: string): VerificationJwk {
  const alg = algorithmForJwk(jwk);
  const x = jwk.x;
  if (alg === undefined || typeof x !== 'string') throw new TypeError('checked by unusableReason');
  if (alg === 'EdDSA') return { kty: 'OKP', crv: 'Ed25519', x, kid, alg, use: 'sig' };
  const y = typeof jwk.y === 'string' ? jwk.y : '';
  return { kty: 'EC', crv: 'P-256', x, y, kid, alg, use: 'sig' };
}

/** The `alg` and `kid` of a JWS protected header, once checked. */
export interface CheckedHeader {
  alg: AllowedAlgorithm;
  kid: string;
}

/**
 * Checks the parts of a JWS protected header (RFC 7515 section 4.1) that key lookup depends on.
 *
 * @throws GatewayError `APPROVAL_ALG_NOT_ALLOWED` when `alg` is not in {@link ALLOWED_ALGORITHMS};
 *   `APPROVAL_UNKNOWN_KEY` when `kid` is missing or not a non-empty string.
 */
export function checkHeader(header: { alg?: unknown; kid?: unknown }): CheckedHeader {
  const { alg, kid } = header;
  if (!isAllowedAlgorithm(alg)) {
    throw new GatewayError(
      'APPROVAL_ALG_NOT_ALLOWED',
      `Approvals must be signed with ${ALLOWED_ALGORITHMS}`,
    );
  }
  if (typeof kid !== 'string' || kid === '') {
    throw new GatewayError('APPROVAL_UNKNOWN_KEY', 'The approval names no key id (kid)');
  }
  return { alg, kid };
}

const imported = new WeakMap<VerificationJwk, Promise<CryptoKey>>();

/**
 * Imports a {@link VerificationJwk} as a public WebCrypto key for its `alg`, once per JWK object.
 *
 * @throws GatewayError `CONFIG_INVALID` when the key material is not a valid point/key (e.g. not on the curve).
 */
export function importVerificationKey(jwk: VerificationJwk): Promise<CryptoKey> {
  let pending = imported.get(jwk);
  if (pending === undefined) {
    pending = importJWK(jwk, jwk.alg).catch(() => {
      imported.delete(jwk);
      throw new GatewayError(
        'CONFIG_INVALID',
        `Key ${JSON.stringify(jwk.kid)} could not be imported`,
      );
    });
    imported.set(jwk, pending);
  }
  return pending;
}
