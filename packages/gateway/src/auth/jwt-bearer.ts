import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import { isRole, type Principal, ROLES, type Role } from './principal.js';

/**
 * Every JWS algorithm the gateway can be configured to accept: asymmetric signatures only. `none` (unsecured
 * JWTs) and the HMAC family (`HS*`, whose shared secret would let any verifier mint tokens) are never accepted,
 * per RFC 8725 section 3.1 and 3.2.
 */
export const JWT_ALGORITHMS = [
  'EdDSA',
  'Ed25519',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
] as const;

/** One of {@link JWT_ALGORITHMS}. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** The algorithms accepted when none are configured. */
export const DEFAULT_JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['EdDSA', 'ES256', 'RS256'];

/** Options of {@link createJwtAuthenticator}. */
export interface JwtAuthenticatorOptions {
  /** The one accepted `iss` (RFC 7519 section 4.1.1), compared exactly. */
  issuer: string;
  /** The accepted `aud` value(s) (RFC 7519 section 4.1.3); a token must name at least one. */
  audience: string | readonly string[];
  /** Resolves the verification key from the protected header; the wiring passes a JWKS key source. */
  getKey: JWTVerifyGetKey;
  /** Accepted `alg` values, pinned (RFC 8725 section 3.1). Default {@link DEFAULT_JWT_ALGORITHMS}. */
  algorithms?: readonly JwtAlgorithm[];
  /** The claim holding the tenant id, a non-empty string. Default `tenant_id`. */
  tenantClaim?: string;
  /** The claim holding the roles, an array of strings. Default `roles`. */
  rolesClaim?: string;
  /** The source of "now" for `exp` and `nbf`. */
  clock: Clock;
  /** Allowed clock skew for `exp` and `nbf`, in seconds. Default 30. */
  clockToleranceSec?: number;
}

/** Verifies bearer JWTs. */
export interface JwtAuthenticator {
  /**
   * The principal (`via: 'jwt'`) of a verified token.
   *
   * @throws GatewayError `UNAUTHENTICATED` when the token is rejected, with `details.reason` one of
   *   {@link JwtRejectionReason}; the message is a short reason and never contains the token or its claims.
   * @throws GatewayError `KEY_SOURCE_UNAVAILABLE` when `getKey` itself fails (e.g. the JWKS endpoint is down):
   *   the gateway's problem, not the caller's, so not a 401.
   */
  authenticate(token: string): Promise<Principal>;
}

/** Why a token was rejected, as `details.reason` of the `UNAUTHENTICATED` error. */
export type JwtRejectionReason =
  | 'expired'
  | 'not_yet_valid'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'alg_not_allowed'
  | 'unknown_key'
  | 'malformed'
  | 'invalid_claims'
  | 'missing_tenant'
  | 'no_known_roles';

/**
 * Creates a verifier of bearer JWTs (RFC 7519) in JWS compact form, following the JWT best current practices
 * of RFC 8725: the algorithms are pinned to an asymmetric allow-list, `iss` and `aud` are always checked, and
 * `sub` and `exp` are required (a bearer token that never expires is refused). Time comes from `clock`.
 *
 * The principal is `{ id: sub, tenantId: <tenantClaim>, roles: <rolesClaim>, via: 'jwt' }`. Unknown role
 * strings are dropped (an IdP may carry roles of other systems); a token left with no known role is refused.
 *
 * @throws GatewayError `CONFIG_INVALID` when an option is invalid: an empty issuer or audience, no algorithms,
 *   an algorithm outside {@link JWT_ALGORITHMS} (`none`, `HS256`, ...), empty claim names, or a negative or
 *   non-finite tolerance.
 */
export function createJwtAuthenticator(options: JwtAuthenticatorOptions): JwtAuthenticator {
  const algorithms = [...(options.algorithms ?? DEFAULT_JWT_ALGORITHMS)];
  const tenantClaim = options.tenantClaim ?? 'tenant_id';
  const rolesClaim = options.rolesClaim ?? 'roles';
  const clockTolerance = options.clockToleranceSec ?? 30;
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience];
  const problems: string[] = [];
  if (options.issuer.length === 0) problems.push('issuer must not be empty');
  if (audience.length === 0 || [audience].flat().some((aud) => aud.length === 0)) {
    problems.push('audience must not be empty');
  }
  if (algorithms.length === 0) problems.push('at least one algorithm is required');
  const refused = algorithms.filter((alg) => !(JWT_ALGORITHMS as readonly string[]).includes(alg));
  if (refused.length > 0) problems.push(`algorithms not allowed: ${refused.join(', ')}`);
  if (tenantClaim.length === 0 || rolesClaim.length === 0)
    problems.push('claim names must not be empty');
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    problems.push('clockToleranceSec must be a finite number of seconds, at least 0');
  }
  if (problems.length > 0) {
    throw new GatewayError('CONFIG_INVALID', `Invalid JWT configuration: ${problems.join('; ')}`);
  }

  const getKey = guardKeySource(options.getKey);
  return {
    async authenticate(token: string): Promise<Principal> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience,
          algorithms,
          requiredClaims: ['sub', 'exp'],
          clockTolerance,
          currentDate: new Date(options.clock.now()),
        }));
      } catch (err) {
        throw toGatewayError(err);
      }
      const sub = payload.sub;
      if (typeof sub !== 'string' || sub.length === 0)
        throw rejected('invalid_claims', 'invalid "sub"');
      const tenantId = ownClaim(payload, tenantClaim);
      if (typeof tenantId !== 'string' || tenantId.length === 0) {
        throw rejected('missing_tenant', `no "${tenantClaim}" claim`);
      }
      const rawRoles = ownClaim(payload, rolesClaim);
      const roles: Role[] = Array.isArray(rawRoles) ? [...new Set(rawRoles.filter(isRole))] : [];
      if (roles.length === 0) {
        throw rejected('no_known_roles', `"${rolesClaim}" grants none of ${ROLES.join(', ')}`);
      }
      return Object.freeze({ id: sub, tenantId, roles: Object.freeze(roles), via: 'jwt' as const });
    },
  };
}

/** A failure of the key source itself (network, malformed JWKS), as opposed to a token naming no known key. */
class KeySourceFailure extends Error {}

/** Errors of `getKey` that describe the token (its `kid`/`alg` match no key), not the key source. */
const TOKEN_KEY_ERRORS: ReadonlySet<string> = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
]);

function guardKeySource(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (err) {
      if (err instanceof errors.JOSEError && TOKEN_KEY_ERRORS.has(err.code)) throw err;
      throw new KeySourceFailure('The key source failed', { cause: err });
    }
  };
}

function ownClaim(payload: JWTPayload, claim: string): unknown {
  return Object.hasOwn(payload, claim) ? payload[claim] : undefined;
}

function rejected(reason: JwtRejectionReason, what: string): GatewayError {
  return new GatewayError('UNAUTHENTICATED', `Bearer token rejected: ${what}`, {
    details: { reason },
  });
}

/** Maps a jose failure to a short, token-free reason. The jose error (which holds the claims) is not kept. */
function toGatewayError(err: unknown): GatewayError {
  if (err instanceof KeySourceFailure) {
    return new GatewayError('KEY_SOURCE_UNAVAILABLE', 'Token verification keys are unavailable', {
      cause: err.cause,
    });
  }
  if (err instanceof errors.JWTExpired) return rejected('expired', 'expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return rejected('wrong_issuer', 'wrong issuer');
    if (err.claim === 'aud') return rejected('wrong_audience', 'wrong audience');
    if (err.claim === 'nbf' && err.reason === 'check_failed') {
      return rejected('not_yet_valid', 'not yet valid');
    }
    const claim = /^[a-z]{2,3}$/.test(err.claim) ? `"${err.claim}"` : 'claim';
    return rejected(
      'invalid_claims',
      `${err.reason === 'missing' ? 'missing' : 'invalid'} ${claim}`,
    );
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return rejected('alg_not_allowed', 'alg not allowed');
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return rejected('bad_signature', 'bad signature');
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return rejected('unknown_key', 'unknown signing key');
  }
  if (err instanceof errors.JOSENotSupported)
    return rejected('alg_not_allowed', 'alg not supported');
  return rejected('malformed', 'malformed token');
}
