import { open } from 'node:fs/promises';
import type { CryptoKey, JWK } from 'jose';
import { type Clock, systemClock } from '../clock.js';
import { GatewayError, isGatewayError } from '../errors.js';
import {
  checkHeader,
  type IgnoredKey,
  importVerificationKey,
  normalizeJwks,
  type VerificationJwk,
} from './jwks.js';
import { createUrlResolver, type FetchLike } from './url-key-source.js';

/** The protected-header members key lookup reads (RFC 7515 section 4.1.1 `alg`, 4.1.4 `kid`). */
export interface KeyHeader {
  alg?: string;
  kid?: string;
}

/** A resolved verification key and the public JWK it came from. */
export interface ResolvedVerificationKey {
  key: CryptoKey;
  jwk: VerificationJwk;
}

/**
 * Resolves the public key that should verify an approval JWS, from the header's `alg` and `kid`, and remembers the
 * public JWK it used (for key history and offline audit). Every function is a detached closure, so `getKey` can be
 * passed straight to jose as a `JWTVerifyGetKey`.
 *
 * Each lookup throws GatewayError `APPROVAL_ALG_NOT_ALLOWED` (alg outside `ALLOWED_ALGORITHMS`),
 * `APPROVAL_UNKNOWN_KEY` (no kid, an unknown kid, or a kid whose key is for another alg), `KEY_SOURCE_UNAVAILABLE`
 * (file unreadable, URL unreachable, timed out or not 200) or `CONFIG_INVALID` (the key set is not a JWKS, holds a
 * private key, repeats a kid, or a key cannot be imported).
 */
export interface KeySource {
  /** The key and its public JWK. */
  resolve(header: KeyHeader): Promise<ResolvedVerificationKey>;
  /** The public WebCrypto key only. */
  getKey(header: KeyHeader): Promise<CryptoKey>;
  /** The public JWK only (RFC 7517). */
  resolveJwk(header: KeyHeader): Promise<VerificationJwk>;
  /** The public JWK most recently resolved for `kid` by this source, if any. */
  lastResolvedJwk(kid: string): VerificationJwk | undefined;
}

/**
 * Where approver public keys come from. Every form holds a JWK Set (RFC 7517 section 5).
 * - `file`: a JSON JWKS on disk. Each lookup stats the file and re-reads it whenever it changed (mtime, ctime, size
 *   or inode: an in-place write or an atomic rename), so adding a key rotates and removing one revokes without a
 *   restart. An unknown kid also re-reads an unchanged file, at most once per `cooldownMs` (default 1000 ms,
 *   measured with the injected clock). A file that fails to load fails every lookup until it is fixed.
 * - `url`: a JWKS over `https:` (`http:` only for 127.0.0.1, localhost and [::1]), via jose `createRemoteJWKSet`:
 *   an unknown kid refetches once `cooldownMs` (default 30000 ms) has passed since the last fetch; keys are
 *   refetched after `cacheMaxAgeMs` (default 600000 ms); a fetch is aborted after `timeoutMs` (default 5000 ms).
 *   These three follow jose's wall clock, not the injected one.
 * - `inline`: a JWKS given in configuration.
 */
export type KeySourceConfig =
  | { type: 'file'; path: string; cooldownMs?: number }
  | { type: 'url'; url: string; cooldownMs?: number; timeoutMs?: number; cacheMaxAgeMs?: number }
  | { type: 'inline'; jwks: { keys: JWK[] } };

/** Options of {@link createKeySource}. */
export interface KeySourceOptions {
  /** Measures the file source's cooldown. Default: the system clock. */
  clock?: Clock;
  /** The fetch a URL source uses. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Told about each JWKS member that is skipped (wrong alg, kty/crv mismatch, no kid, ...). */
  onIgnoredKey?: (ignored: IgnoredKey) => void;
}

type Resolver = (header: KeyHeader) => Promise<ResolvedVerificationKey>;

/** Wraps a resolver into a {@link KeySource} that remembers each JWK it hands out. */
function keySourceFrom(resolver: Resolver): KeySource {
  const history = new Map<string, VerificationJwk>();
  const resolve = async (header: KeyHeader): Promise<ResolvedVerificationKey> => {
    const resolved = await resolver(header);
    history.set(resolved.jwk.kid, resolved.jwk);
    return resolved;
  };
  return {
    resolve,
    getKey: async (header) => (await resolve(header)).key,
    resolveJwk: async (header) => (await resolve(header)).jwk,
    lastResolvedJwk: (kid) => history.get(kid),
  };
}

function unknownKey(kid: string): GatewayError {
  return new GatewayError('APPROVAL_UNKNOWN_KEY', `No approver key has kid ${JSON.stringify(kid)}`);
}

/** Looks `header` up in `keys`: the kid must exist and its key must be for the header's alg. */
async function pick(keys: ReadonlyMap<string, VerificationJwk>, header: KeyHeader) {
  const { alg, kid } = checkHeader(header);
  const jwk = keys.get(kid);
  if (jwk === undefined || jwk.alg !== alg) throw unknownKey(kid);
  return { key: await importVerificationKey(jwk), jwk };
}

function byKid(keys: readonly VerificationJwk[]): Map<string, VerificationJwk> {
  return new Map(keys.map((jwk) => [jwk.kid, jwk]));
}

function nonNegative(value: number | undefined, fallback: number, name: string, finite = false) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || (finite && !Number.isFinite(value))) {
    throw new GatewayError(
      'CONFIG_INVALID',
      `${name} must be a non-negative number of milliseconds`,
    );
  }
  return value;
}

/** What identifies one version of the key file: a rewrite or an atomic rename changes at least one of these. */
interface FileStamp {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
}

interface FileState {
  keys: Map<string, VerificationJwk>;
  stamp: FileStamp;
  loadedAt: number;
}

function stampOf(info: FileStamp): FileStamp {
  return { mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, size: info.size, ino: info.ino };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size && a.ino === b.ino;
}

function createFileResolver(path: string, cooldownMs: number, options: KeySourceOptions): Resolver {
  const clock = options.clock ?? systemClock;
  const source = `file ${path}`;
  let state: FileState | undefined;
  let pending: Promise<FileState> | undefined;

  const unavailable = (what: string, cause: unknown) =>
    new GatewayError('KEY_SOURCE_UNAVAILABLE', `Cannot ${what} the approver key file ${path}`, {
      cause,
    });

  const stat = async (): Promise<FileStamp> => {
    const handle = await open(path, 'r').catch((cause: unknown) => {
      throw unavailable('open', cause);
    });
    try {
      return stampOf(await handle.stat());
    } finally {
      await handle.close();
    }
  };

  const read = async (): Promise<FileState> => {
    const handle = await open(path, 'r').catch((cause: unknown) => {
      throw unavailable('open', cause);
    });
    try {
      const info = await handle.stat();
      const text = await handle.readFile('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new GatewayError('CONFIG_INVALID', `${source} is not valid JSON`);
      }
      const keys = byKid(normalizeJwks(json, { source, onIgnoredKey: options.onIgnoredKey }));
      state = { keys, stamp: stampOf(info), loadedAt: clock.now() };
      return state;
    } finally {
      await handle.close();
    }
  };

  const load = (): Promise<FileState> => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  return async (header) => {
    const { kid } = checkHeader(header);
    const stamp = await stat();
    let current = state !== undefined && sameStamp(state.stamp, stamp) ? state : await load();
    if (!current.keys.has(kid) && clock.now() - current.loadedAt >= cooldownMs) {
      current = await load();
    }
    return pick(current.keys, header);
  };
}

/**
 * Creates a {@link KeySource} from configuration (see {@link KeySourceConfig} for rotation behaviour).
 * A file or URL is first read on the first lookup; an inline JWKS is validated here.
 *
 * @throws GatewayError `CONFIG_INVALID` for an unknown `type`, a negative duration, a URL that is not `https:`
 *   (or `http:` to a loopback host), or an inline JWKS that {@link normalizeJwks} refuses (e.g. holds a private key).
 */
export function createKeySource(
  config: KeySourceConfig,
  options: KeySourceOptions = {},
): KeySource {
  switch (config.type) {
    case 'inline': {
      const keys = byKid(
        normalizeJwks(config.jwks, { source: 'inline JWKS', onIgnoredKey: options.onIgnoredKey }),
      );
      return keySourceFrom((header) => pick(keys, header));
    }
    case 'file': {
      if (typeof config.path !== 'string' || config.path === '') {
        throw new GatewayError('CONFIG_INVALID', 'A file key source needs a path');
      }
      const cooldownMs = nonNegative(config.cooldownMs, 1000, 'cooldownMs', true);
      return keySourceFrom(createFileResolver(config.path, cooldownMs, options));
    }
    case 'url':
      return keySourceFrom(
        createUrlResolver(config.url, {
          cooldownMs: nonNegative(config.cooldownMs, 30_000, 'cooldownMs'),
          timeoutMs: nonNegative(config.timeoutMs, 5000, 'timeoutMs', true),
          cacheMaxAgeMs: nonNegative(config.cacheMaxAgeMs, 600_000, 'cacheMaxAgeMs'),
          fetch: options.fetch,
          onIgnoredKey: options.onIgnoredKey,
        }),
      );
    default:
      throw new GatewayError('CONFIG_INVALID', 'Unknown key source type');
  }
}

/**
 * Combines sources: each lookup tries them in order and the first that knows the kid (for the header's alg)
 * wins, so a kid present in two sources resolves to the first. A source that fails with anything other than
 * `APPROVAL_UNKNOWN_KEY` does not stop the search; when no source knows the kid, the first such failure is thrown
 * (e.g. `KEY_SOURCE_UNAVAILABLE`, since the key may be in the source that failed), else `APPROVAL_UNKNOWN_KEY`.
 * `APPROVAL_ALG_NOT_ALLOWED` is thrown at once.
 */
export function combineKeySources(sources: readonly KeySource[]): KeySource {
  const list = [...sources];
  return keySourceFrom(async (header) => {
    const { kid } = checkHeader(header);
    let failure: unknown;
    for (const source of list) {
      try {
        return await source.resolve(header);
      } catch (error) {
        if (isGatewayError(error, 'APPROVAL_UNKNOWN_KEY')) continue;
        failure ??= error;
      }
    }
    throw failure ?? unknownKey(kid);
  });
}
