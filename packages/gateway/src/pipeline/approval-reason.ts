import { decodeJwt } from 'jose';
import type { ApprovalRecord, StoreTx } from '../store/store.js';

/*
 * The reason an approver gave with a decision, read back from the approval's stored evidence: the `comment`
 * claim of a signed approval (a compact JWS, RFC 7515 section 7.1, stored by digest as its `ApprovalJws`
 * payload), or the `reason` member of a JSON evidence document (what another approval path, such as a passkey
 * assertion, stores). The reason is part of what the approver signed, so it is read from the evidence rather
 * than kept in a second place that could disagree with it.
 */

/** The reason inside stored approval evidence text, if it carries one (see the module comment). */
export function reasonInEvidence(evidence: string): string | undefined {
  const value = evidence.trimStart().startsWith('{') ? jsonReason(evidence) : jwsComment(evidence);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function jwsComment(token: string): unknown {
  try {
    return decodeJwt(token).comment;
  } catch {
    return undefined;
  }
}

function jsonReason(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'reason' in parsed
      ? parsed.reason
      : undefined;
  } catch {
    return undefined;
  }
}

/** The reason recorded with one approval (from its evidence payload), if any. */
export async function approvalReason(
  tx: StoreTx,
  approval: Pick<ApprovalRecord, 'tokenDigest'>,
): Promise<string | undefined> {
  const evidence = await tx.getPayload(approval.tokenDigest);
  return evidence === undefined ? undefined : reasonInEvidence(evidence);
}
