import {
  createRemoteJWKSet,
  customFetch,
  errors,
  exportJWK,
  type FetchImplementation,
  type JWSHeaderParameters,
} from 'jose';
import { GatewayError, isGatewayError } from '../errors.js';
import { checkHeader, type IgnoredKey, normalizeJwks, type VerificationJwk } from './jwks.js';
import type { KeyHeader, ResolvedVerificationKey } from './key-source.js';

/** The part of `fetch` a URL key source uses: a GET of a URL string, returning a WHATWG `Response`. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Hosts that may be reached over plain `http:` (WHATWG URL `hostname` form). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The largest JWKS response accepted, in bytes of UTF-8. */
const MAX_JWKS_BYTES = 1_048_576;

/**
 * Parses and checks the URL of a remote JWKS: `https:` anywhere, `http:` only to a loopback host (127.0.0.1,
 * localhost, [::1]); no user name or password in the URL.
 *
 * @throws GatewayError `CONFIG_INVALID` otherwise. The message names the scheme and host only.
 */
export function parseKeySourceUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GatewayError('CONFIG_INVALID', 'The approver JWKS URL is not a valid absolute URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw new GatewayError('CONFIG_INVALID', 'The approver JWKS URL must not carry credentials');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw new GatewayError(
    'CONFIG_INVALID',
    `The approver JWKS URL must use https: (http: only for 127.0.0.1, localhost or [::1]), not ${url.protocol}//${url.host}`,
  );
}

/** Settings of {@link createUrlResolver}, all durations in milliseconds. */
export interface UrlResolverOptions {
  cooldownMs: number;
  timeoutMs: number;
  cacheMaxAgeMs: number;
  fetch?: FetchLike | undefined;
  onIgnoredKey?: ((ignored: IgnoredKey) => void) | undefined;
}

/**
 * A key resolver over a remote JWKS (RFC 7517 section 5), built on jose `createRemoteJWKSet` (its cooldown, cache
 * max age and timeout). Each response is checked with `normalizeJwks` before jose sees it, so private keys refuse
 * the whole set and keys of other algorithms or curves are skipped. Redirects are not followed.
 *
 * Lookups throw GatewayError `APPROVAL_ALG_NOT_ALLOWED` or `APPROVAL_UNKNOWN_KEY` (see `checkHeader`; also an
 * unknown kid after a refetch), `KEY_SOURCE_UNAVAILABLE` (network error, timeout, a status other than 200, a body
 * over 1 MiB or not JSON) or `CONFIG_INVALID` (the body is not a usable JWKS).
 *
 * @throws GatewayError `CONFIG_INVALID` at creation for a URL {@link parseKeySourceUrl} refuses.
 */
export function createUrlResolver(
  raw: string,
  options: UrlResolverOptions,
): (header: KeyHeader) => Promise<ResolvedVerificationKey> {
  const url = parseKeySourceUrl(raw);
  const source = `url ${url.origin}${url.pathname}`;
  const fetchImpl: FetchLike = options.fetch ?? ((href, init) => fetch(href, init));
  const unavailable = (reason: string, cause?: unknown) =>
    new GatewayError('KEY_SOURCE_UNAVAILABLE', `Approver key set at ${source}: ${reason}`, {
      cause,
      details: { source },
    });

  const checkedFetch: FetchImplementation = async (href, init) => {
    let response: Response;
    try {
      response = await fetchImpl(href, init);
    } catch (cause) {
      const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
      throw unavailable(
        timedOut ? `no answer within ${options.timeoutMs} ms` : 'unreachable',
        cause,
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw unavailable(`answered HTTP ${response.status}, not 200`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw unavailable('the response could not be read', cause);
    }
    if (Buffer.byteLength(text, 'utf8') > MAX_JWKS_BYTES)
      throw unavailable('the response is too large');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw unavailable('the response is not JSON');
    }
    const keys = normalizeJwks(json, { source, onIgnoredKey: options.onIgnoredKey });
    return new Response(JSON.stringify({ keys }), {
      status: 200,
      headers: { 'content-type': 'application/jwk-set+json' },
    });
  };

  const remote = createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs,
    timeoutDuration: Math.round(options.timeoutMs),
    cacheMaxAge: options.cacheMaxAgeMs,
    [customFetch]: checkedFetch,
  });

  return async (header) => {
    const { alg, kid } = checkHeader(header);
    const lookup: JWSHeaderParameters = { alg, kid };
    let key: Awaited<ReturnType<typeof remote>>;
    try {
      key = await remote(lookup);
    } catch (error) {
      if (isGatewayError(error)) throw error;
      if (error instanceof errors.JOSEError && error.code === 'ERR_JWKS_NO_MATCHING_KEY') {
        throw new GatewayError(
          'APPROVAL_UNKNOWN_KEY',
          `No approver key has kid ${JSON.stringify(kid)}`,
        );
      }
      throw unavailable('the key set could not be used', error);
    }
    // The JWK recorded for audit is exported from the very key jose resolved, so a concurrent refetch cannot
    // make the two disagree.
    const material = await exportJWK(key);
    const jwk: VerificationJwk =
      alg === 'EdDSA'
        ? { kty: 'OKP', crv: 'Ed25519', x: material.x ?? '', kid, alg, use: 'sig' }
        : {
            kty: 'EC',
            crv: 'P-256',
            x: material.x ?? '',
            y: material.y ?? '',
            kid,
            alg,
            use: 'sig',
          };
    return { key, jwk };
  };
}
