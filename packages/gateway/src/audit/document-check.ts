import type { VerificationCounts, VerificationFailure } from '@handoff/lineage';
import { documentMatchesDigest } from '../store/stored-document.js';
import type { LineageSource } from './lineage-source.js';

/**
 * Re-hashes every stored document of `source` (a database's `payloads`: plans by their RFC 8785 plan digest,
 * policy evaluations, policy sets, plan-signature tokens, dispatch receipts, budget caps; approval tokens are
 * re-hashed with their approvals, `APPROVAL_DIGEST_MISMATCH`) against
 * the digest it is stored under, which is the digest the events' `refs` name (`documentMatchesDigest`). One
 * streamed pass, one SHA-256 per document; `counts.documents` counts them. A document that does not hold is a
 * `DOCUMENT_DIGEST_MISMATCH` at the first event naming its digest (found by a scan, on failure only), or past the
 * last event (`endSeq`) when no event names it.
 *
 * A document that is missing (deleted) is not found here; the checks that read one report it (an approval
 * token: `APPROVAL_TOKEN_MISSING`).
 *
 * @returns the failures, sorted by seq.
 */
export async function documentFailures(
  source: LineageSource,
  counts: VerificationCounts,
  endSeq: number,
): Promise<VerificationFailure[]> {
  if (source.documents === undefined) return [];
  const altered: { digest: string; kind: string }[] = [];
  for await (const { digest, kind, body } of source.documents()) {
    counts.documents += 1;
    if (typeof body !== 'string' || !documentMatchesDigest(digest, body)) {
      altered.push({ digest: String(digest), kind: String(kind) });
    }
  }
  const failures: VerificationFailure[] = [];
  for (const { digest, kind } of altered) {
    const seq = (await source.firstNaming?.(digest)) ?? endSeq;
    failures.push({
      code: 'DOCUMENT_DIGEST_MISMATCH',
      seq,
      digest,
      kind,
      message: `The stored ${kind} ${digest} (named by event ${seq}) does not hash to its digest: it was altered`,
    });
  }
  return failures.sort((a, b) => a.seq - b.seq);
}
