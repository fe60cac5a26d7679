import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { toJsonPointer } from '@handoff/protocol';
import { z } from 'zod';
import { GatewayError, type ProtocolIssueLike } from '../errors.js';
import { type Principal, ROLES } from './principal.js';

/** The prefix of every Handoff API key; the authenticator routes `Bearer hk_...` credentials here. */
export const API_KEY_PREFIX = 'hk_';

/**
 * Generates a new API key: `hk_` followed by 32 bytes (256 bits) from the CSPRNG, base64url-encoded without
 * padding (43 characters; 46 in all). Show it to its owner once and store only {@link hashApiKey} of it.
 */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * The stored form of an API key: `sha256:` followed by the lowercase hex SHA-256 of the key's UTF-8 bytes (the
 * whole key, prefix included).
 *
 * A fast hash is enough here and a slow KDF (scrypt, Argon2) would add nothing: slow KDFs protect low-entropy
 * secrets such as passwords from guessing after a leak of the hashes, whereas a key from {@link generateApiKey}
 * holds 256 random bits, so guessing one from its hash costs about 2^256 SHA-256 evaluations however fast each is.
 * A fast hash also keeps every authenticated request cheap. Keys not made by {@link generateApiKey} get no such
 * guarantee: do not hand-write keys.
 */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * One configured API key, as stored in gateway configuration (never the key itself):
 *
 * - `id`: a stable, non-secret name for the key; it becomes the {@link Principal} `id`.
 * - `tenantId`: the tenant the key acts for.
 * - `roles`: at least one `Role` (see `ROLES`), without duplicates.
 * - `keyHash`: {@link hashApiKey} of the key, `sha256:` + 64 lowercase hex digits.
 *
 * Unknown fields are refused, so a plaintext key pasted under another name fails loudly instead of being stored.
 */
export const ApiKeyEntrySchema = z.strictObject({
  id: z.string().min(1),
  tenantId: z.string().min(1),
  roles: z
    .array(z.enum(ROLES))
    .min(1)
    .refine((roles) => new Set(roles).size === roles.length, { message: 'Roles must be unique' }),
  keyHash: z.string().regex(/^sha256:[0-9a-f]{64}$/, {
    message: 'Expected sha256: followed by 64 lowercase hex digits',
  }),
});

/** A configured API key; see {@link ApiKeyEntrySchema}. */
export type ApiKeyEntry = z.infer<typeof ApiKeyEntrySchema>;

/** Resolves an API key to its principal. */
export interface ApiKeyAuthenticator {
  /** The principal of `key` (with `via: 'api_key'`), or `undefined` when no configured entry matches. */
  authenticate(key: string): Principal | undefined;
}

interface StoredKey {
  digest: Buffer;
  principal: Principal;
}

/**
 * Creates an authenticator over the configured API key entries (the embedded default of the gateway).
 *
 * Matching: the presented key is hashed once, then compared with `crypto.timingSafeEqual` against every entry's
 * digest, with no early exit when one matches, so the time taken depends only on the number of entries, never on
 * which entry matched or how many leading bytes agreed. (A `Map` keyed by hash would also be safe, as an attacker
 * cannot choose the bytes of a SHA-256 digest of a 256-bit secret; the full scan is preferred because its safety
 * does not rest on that argument, and configured key lists are short.)
 *
 * @param entries - configured keys; validated against {@link ApiKeyEntrySchema} here, so raw config may be passed.
 * @throws GatewayError `CONFIG_INVALID` when an entry is invalid, or two entries share an `id` or a `keyHash`.
 *   Issues carry JSON Pointer paths into `entries`; messages never echo field values.
 */
export function createApiKeyAuthenticator(entries: readonly ApiKeyEntry[]): ApiKeyAuthenticator {
  const parsed = z.array(ApiKeyEntrySchema).safeParse(entries);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue): ProtocolIssueLike[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            path: toJsonPointer([...issue.path, key]),
            code: 'UNRECOGNIZED_KEY',
            message: 'Unrecognized key',
          }))
        : [{ path: toJsonPointer(issue.path), code: 'INVALID_INPUT', message: issue.message }],
    );
    throw new GatewayError('CONFIG_INVALID', 'Invalid API key configuration', { issues });
  }
  const issues: ProtocolIssueLike[] = [];
  const ids = new Set<string>();
  const hashes = new Set<string>();
  parsed.data.forEach((entry, index) => {
    if (ids.has(entry.id)) {
      issues.push(duplicate(index, 'id', `Duplicate API key id ${JSON.stringify(entry.id)}`));
    }
    if (hashes.has(entry.keyHash)) {
      issues.push(duplicate(index, 'keyHash', `The key of "${entry.id}" is configured twice`));
    }
    ids.add(entry.id);
    hashes.add(entry.keyHash);
  });
  if (issues.length > 0) {
    throw new GatewayError('CONFIG_INVALID', 'Invalid API key configuration', { issues });
  }
  const stored: readonly StoredKey[] = parsed.data.map((entry) => ({
    digest: Buffer.from(entry.keyHash.slice('sha256:'.length), 'hex'),
    principal: Object.freeze({
      id: entry.id,
      tenantId: entry.tenantId,
      roles: Object.freeze([...entry.roles]),
      via: 'api_key' as const,
    }),
  }));

  return {
    authenticate(key: string): Principal | undefined {
      const digest = createHash('sha256').update(key, 'utf8').digest();
      let found: Principal | undefined;
      for (const entry of stored) {
        if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry.principal;
      }
      return found;
    },
  };
}

function duplicate(index: number, field: string, message: string): ProtocolIssueLike {
  return { path: toJsonPointer([index, field]), code: 'DUPLICATE_ITEM', message };
}
