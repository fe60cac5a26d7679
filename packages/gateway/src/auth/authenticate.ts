import { GatewayError } from '../errors.js';
import { API_KEY_PREFIX, type ApiKeyAuthenticator } from './api-keys.js';
import type { JwtAuthenticator } from './jwt-bearer.js';
import type { Principal } from './principal.js';

/**
 * The longest `Authorization` header value accepted: 8 KiB, counted in characters (which are bytes for HTTP
 * header values, decoded as Latin-1). Longer values are refused before any parsing or hashing.
 */
export const MAX_AUTHORIZATION_HEADER_LENGTH = 8 * 1024;

/** The credential verifiers a gateway accepts; at least one. */
export interface AuthenticatorOptions {
  /** Verifies `hk_...` API keys (see `createApiKeyAuthenticator`). */
  apiKeys?: ApiKeyAuthenticator;
  /** Verifies bearer JWTs (see `createJwtAuthenticator`). */
  jwt?: JwtAuthenticator;
}

/** Authenticates a request from its `Authorization` header. */
export interface Authenticator {
  /**
   * The principal of the request whose `Authorization` header value is `authorizationHeader` (`undefined` when
   * the header is absent).
   *
   * @throws GatewayError `UNAUTHENTICATED` when the header is missing, longer than
   *   {@link MAX_AUTHORIZATION_HEADER_LENGTH}, not `Bearer <credential>`, holds a credential of a kind not
   *   configured, or the credential is rejected. `details.reason` says which; the message never holds the
   *   credential.
   * @throws GatewayError `KEY_SOURCE_UNAVAILABLE` when JWT verification keys cannot be fetched.
   */
  authenticate(authorizationHeader: string | undefined): Promise<Principal>;
}

/**
 * `Bearer` credentials as in RFC 6750 section 2.1: `credentials = "Bearer" 1*SP b64token`, where
 * `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. The scheme is case-insensitive
 * (RFC 9110 section 11.1). Exactly one credential: `Bearer a b` does not match.
 */
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/** A JWS compact serialization: three non-empty base64url parts (RFC 7515 section 7.1, RFC 7519 section 3). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Creates the request authenticator. It reads `Authorization: Bearer <credential>` (RFC 6750 section 2.1;
 * credentials in query strings or form bodies are not accepted) and routes the credential by its shape:
 *
 * - starting with `hk_`: an API key, checked by `apiKeys`;
 * - otherwise, three dot-separated base64url parts: a JWT, checked by `jwt` (RFC 7519, RFC 8725);
 * - anything else is refused.
 *
 * Leading and trailing whitespace around the header value is ignored (HTTP optional whitespace).
 *
 * @throws GatewayError `CONFIG_INVALID` when neither `apiKeys` nor `jwt` is given (every request would fail).
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { apiKeys, jwt } = options;
  if (apiKeys === undefined && jwt === undefined) {
    throw new GatewayError('CONFIG_INVALID', 'No authentication method is configured');
  }
  return {
    async authenticate(authorizationHeader: string | undefined): Promise<Principal> {
      if (authorizationHeader === undefined) {
        throw unauthenticated('missing', 'Missing Authorization header');
      }
      if (authorizationHeader.length > MAX_AUTHORIZATION_HEADER_LENGTH) {
        throw unauthenticated('too_large', 'Authorization header is too large');
      }
      const value = authorizationHeader.trim();
      if (value.length === 0) throw unauthenticated('missing', 'Missing Authorization header');
      const match = BEARER.exec(value);
      const credential = match?.[1];
      if (credential === undefined) {
        if (!/^bearer(?:[ \t]|$)/i.test(value)) {
          throw unauthenticated('unsupported_scheme', 'Authorization scheme must be Bearer');
        }
        throw unauthenticated('malformed', 'Malformed Bearer credential: expected exactly one');
      }
      if (credential.startsWith(API_KEY_PREFIX)) {
        if (apiKeys === undefined) {
          throw unauthenticated('method_not_enabled', 'API keys are not accepted here');
        }
        const principal = apiKeys.authenticate(credential);
        if (principal === undefined) throw unauthenticated('unknown_api_key', 'Unknown API key');
        return principal;
      }
      if (COMPACT_JWS.test(credential)) {
        if (jwt === undefined) {
          throw unauthenticated('method_not_enabled', 'Bearer JWTs are not accepted here');
        }
        return jwt.authenticate(credential);
      }
      throw unauthenticated(
        'malformed',
        'Unrecognised Bearer credential: neither an API key nor a JWT',
      );
    },
  };
}

function unauthenticated(reason: string, message: string): GatewayError {
  return new GatewayError('UNAUTHENTICATED', message, { details: { reason } });
}
