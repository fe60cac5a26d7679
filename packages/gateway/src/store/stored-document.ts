import { documentDigest, sha256Digest } from '@handoff/protocol';
import { GatewayError } from '../errors.js';

/**
 * The check of a stored document against the digest it is stored and named under (`payloads.digest`, the
 * events' `refs`). Every document is stored under one of two digests (packages/protocol `digest.ts`):
 *
 * - SHA-256 of its stored text: approval and plan-signature tokens (compact JWS), and every JSON document
 *   stored in its RFC 8785 form (plans: `planDigest`; policy evaluations, policy sets, dispatch receipts);
 * - SHA-256 of the RFC 8785 form of the JSON it holds (`documentDigest`), for a JSON document stored in another
 *   form (budget caps).
 *
 * The text is first hashed as it is (one SHA-256, the usual case); only when that differs is it parsed and
 * canonicalised.
 */
export function documentMatchesDigest(digest: string, text: string): boolean {
  if (sha256Digest(text) === digest) return true;
  try {
    return documentDigest(JSON.parse(text)) === digest;
  } catch {
    return false;
  }
}

/**
 * Parses a stored JSON document after checking it against its digest, so nothing acts on, or shows, a document
 * that was changed in the database after it was stored.
 *
 * @param what - names the document in the error (e.g. `Plan payload`); never its content.
 * @throws GatewayError `INTERNAL` when it does not hash to `digest` (the database was altered: run `handoff
 *   lineage verify`); the caller's transaction then changes nothing.
 */
export function parseStoredDocument<T>(digest: string, text: string, what: string): T {
  if (!documentMatchesDigest(digest, text)) {
    throw new GatewayError(
      'INTERNAL',
      `${what} ${digest} does not hash to its digest: the stored document was altered (run \`handoff lineage verify\`)`,
    );
  }
  return JSON.parse(text) as T;
}
