import { randomBytes } from 'node:crypto';
import {
  type ApprovalClaims,
  HANDOFF_PROTOCOL_VERSION,
  safeParseDocument,
} from '@handoff/protocol';
import { calculateJwkThumbprint, importJWK, type JWK, SignJWT } from 'jose';
import { type Clock, systemClock } from '../clock.js';
import { GatewayError } from '../errors.js';
import { APPROVAL_TOKEN_TYPE, algorithmForJwk } from './signing-keys.js';

/**
 * What an approver decides: the {@link ApprovalClaims} without `protocolVersion` and `kind` (always `1.0` and
 * `ApprovalClaims`) and without the token bookkeeping, which {@link createApprovalToken} fills in. `iat`, `nbf`,
 * `exp` (NumericDate: whole seconds since the epoch, RFC 7519 section 2) and `jti` may be overridden, e.g. by tests.
 */
export type ApprovalInput = Omit<
  ApprovalClaims,
  'protocolVersion' | 'kind' | 'iat' | 'nbf' | 'exp' | 'jti'
> &
  Partial<Pick<ApprovalClaims, 'iat' | 'nbf' | 'exp' | 'jti'>>;

/** Options of {@link createApprovalToken}. */
export interface CreateApprovalOptions {
  /** The source of `iat`/`nbf`. Default: the system clock. */
  clock?: Clock;
  /** Lifetime in seconds: `exp = iat + ttlSeconds`. Default 900 (15 minutes). A positive integer. */
  ttlSeconds?: number;
  /** The `kid` header. Default: the JWK's `kid`, else its RFC 7638 SHA-256 thumbprint. */
  kid?: string;
}

/** The default approval lifetime, in seconds. */
export const DEFAULT_APPROVAL_TTL_SECONDS = 900;

/** A fresh single-use token id: 16 random bytes, base64url (RFC 4648 section 5), 22 characters. */
export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Signs an approval: a JWT (RFC 7519) in JWS compact serialization (RFC 7515 section 7.1) with the protected
 * header `{ alg, kid, typ: "handoff-approval+jwt" }` (explicit typing, RFC 8725 section 3.11). `alg` follows the
 * key: an OKP Ed25519 JWK signs `EdDSA` (RFC 8037), an EC P-256 JWK signs `ES256`. The claims are
 * `protocolVersion` (`HANDOFF_PROTOCOL_VERSION`), `kind: "ApprovalClaims"`, the input, `iat = nbf = floor(clock.now() / 1000)`,
 * `exp = iat + ttlSeconds` and a random `jti`, checked against `ApprovalClaimsSchema` before signing.
 * This is the helper approver tools, the CLI and tests use; the gateway itself never signs approvals.
 *
 * @param privateJwk - the approver's private key as a JWK (RFC 7517), with `d`.
 * @returns the compact JWS, `header.payload.signature`.
 * @throws GatewayError `CONFIG_INVALID` when the JWK is not a private Ed25519 or P-256 key, or its `alg` disagrees
 *   with its key type; `VALIDATION_FAILED` (with `issues`) when the resulting claims are not valid
 *   ApprovalClaims. RangeError when `ttlSeconds` is not a positive integer.
 */
export async function createApprovalToken(
  input: ApprovalInput,
  privateJwk: JWK,
  options: CreateApprovalOptions = {},
): Promise<string> {
  const alg = algorithmForJwk(privateJwk);
  if (alg === undefined) {
    throw new GatewayError(
      'CONFIG_INVALID',
      'Approvals are signed with Ed25519 (OKP) or P-256 (EC) keys',
    );
  }
  if (privateJwk.alg !== undefined && privateJwk.alg !== alg) {
    throw new GatewayError(
      'CONFIG_INVALID',
      `The key's alg ${privateJwk.alg} does not match its type`,
    );
  }
  if (typeof privateJwk.d !== 'string') {
    throw new GatewayError(
      'CONFIG_INVALID',
      'Signing an approval needs a private key (a JWK with "d")',
    );
  }
  const ttl = options.ttlSeconds ?? DEFAULT_APPROVAL_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new RangeError('ttlSeconds must be a positive integer');
  }
  const kid = options.kid ?? privateJwk.kid ?? (await calculateJwkThumbprint(privateJwk, 'sha256'));
  const iat = input.iat ?? Math.floor((options.clock ?? systemClock).now() / 1000);
  const claims = {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'ApprovalClaims',
    ...input,
    iat,
    nbf: input.nbf ?? iat,
    exp: input.exp ?? iat + ttl,
    jti: input.jti ?? newJti(),
  };
  const parsed = safeParseDocument('ApprovalClaims', claims);
  if (!parsed.success) {
    throw new GatewayError(
      'VALIDATION_FAILED',
      'The approval claims are not valid ApprovalClaims',
      {
        issues: parsed.error.issues,
      },
    );
  }
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK({ ...privateJwk, alg }, alg);
  } catch {
    throw new GatewayError('CONFIG_INVALID', 'The approver private key could not be imported');
  }
  return new SignJWT(parsed.data)
    .setProtectedHeader({ alg, kid, typ: APPROVAL_TOKEN_TYPE })
    .sign(key);
}
