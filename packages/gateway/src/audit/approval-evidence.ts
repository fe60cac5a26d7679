import { sha256Digest } from '@handoff/protocol';
import { type CryptoKey, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { ALLOWED_ALGORITHMS, APPROVAL_TOKEN_TYPE } from '../approvals/signing-keys.js';
import type { SourceApprovalRow } from './lineage-source.js';
import type { KeyJudge } from './trust-anchors.js';

/** The `approvals` columns a token must agree with, by the name of the fact. */
const APPROVAL_COLUMNS = {
  planId: 'plan_id',
  approver: 'approver',
  role: 'role',
  decision: 'decision',
  optionId: 'option_id',
  jti: 'jti',
  kid: 'kid',
} as const;

const imported = new WeakMap<JWK, Promise<CryptoKey | Uint8Array>>();

/** Imports a recorded key once per JWK object (a verification of millions of events reuses a handful of keys). */
function importOnce(jwk: JWK, headerAlg: string): Promise<CryptoKey | Uint8Array> {
  let key = imported.get(jwk);
  if (key === undefined) {
    key = importJWK(jwk, typeof jwk.alg === 'string' ? jwk.alg : headerAlg);
    imported.set(jwk, key);
  }
  return key;
}

/** What an `approval.accepted` event says about its approval. */
export interface RecordedApproval {
  tokenDigest: string;
  /** The tenant of the event that records it. */
  tenantId: string;
  planId: string | undefined;
  planDigest: string | undefined;
  data: Record<string, unknown>;
}

/** Why a recorded approval did not hold up, with what the verification failure needs. */
export type ApprovalProblem =
  | { code: 'APPROVAL_TOKEN_MISSING'; tokenDigest: string; message: string }
  | { code: 'APPROVAL_DIGEST_MISMATCH'; tokenDigest: string; message: string }
  | { code: 'APPROVAL_KEY_UNKNOWN'; kid: string; message: string }
  | { code: 'APPROVAL_KEY_UNTRUSTED'; kid: string; message: string }
  | { code: 'APPROVAL_SIGNATURE_INVALID'; kid: string; message: string }
  | { code: 'APPROVAL_CLAIMS_MISMATCH'; field: string; message: string };

/**
 * Re-verifies, offline, an approval the gateway accepted: the stored token must hash to the digest the event
 * refers to, its JWS signature (RFC 7515; `EdDSA` or `ES256`, `typ` `handoff-approval+jwt`) must verify with the
 * approver key `judge` picks for its `kid`: a trusted key (`APPROVAL_KEY_UNTRUSTED` when there is none, or when
 * the recorded key of that kid is another key), or unanchored the recorded one (keys are kept after rotation), and its signed claims must equal what the
 * event (and the `approvals` row, when there is one) record: plan id and digest, approver, role, decision, option,
 * kid and token id. Time claims (`exp`, `nbf`) are not re-checked: they were checked at acceptance, and an old
 * approval has long expired.
 *
 * @returns `undefined` when it holds, else the first problem found.
 */
export async function checkRecordedApproval(
  recorded: RecordedApproval,
  token: string | undefined,
  judge: KeyJudge,
  row: SourceApprovalRow | undefined,
): Promise<ApprovalProblem | undefined> {
  if (token === undefined) {
    return {
      code: 'APPROVAL_TOKEN_MISSING',
      tokenDigest: recorded.tokenDigest,
      message: 'The approval token is not stored',
    };
  }
  if (sha256Digest(token) !== recorded.tokenDigest) {
    return {
      code: 'APPROVAL_DIGEST_MISMATCH',
      tokenDigest: recorded.tokenDigest,
      message: 'The stored approval token does not hash to the digest the event records',
    };
  }
  let header: { alg?: unknown; kid?: unknown } = {};
  try {
    header = decodeProtectedHeader(token);
  } catch {
    // Not a JWS: no key verifies it (below).
  }
  const kid = typeof header.kid === 'string' ? header.kid : '';
  const alg = String(header.alg);
  // Outside the try: a trust anchor that cannot be read is an error, not a verdict on the token.
  const verdict = await judge('approver', { alg, kid }, recorded.tenantId);
  if (!verdict.ok) {
    return verdict.reason === 'unknown'
      ? { code: 'APPROVAL_KEY_UNKNOWN', kid, message: `No approver key ${kid} is recorded` }
      : { code: 'APPROVAL_KEY_UNTRUSTED', kid, message: verdict.message };
  }
  let claims: Record<string, unknown>;
  try {
    const verified = await compactVerify(token, await importOnce(verdict.jwk, alg), {
      algorithms: [...ALLOWED_ALGORITHMS],
    });
    if (String(verified.protectedHeader.typ).toLowerCase() !== APPROVAL_TOKEN_TYPE) {
      throw new Error('typ');
    }
    claims = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    return {
      code: 'APPROVAL_SIGNATURE_INVALID',
      kid,
      message: `The approval does not verify with the key of kid ${kid}`,
    };
  }
  const { data } = recorded;
  const signed = {
    planId: claims.planId,
    approver: claims.sub,
    role: claims.role,
    decision: claims.decision,
    optionId: claims.optionId,
    jti: claims.jti,
    kid,
  };
  const expected: [string, unknown, unknown][] = [
    ['planDigest', claims.planDigest, recorded.planDigest],
    ['planId', signed.planId, recorded.planId],
    ...(['approver', 'role', 'decision', 'optionId', 'jti', 'kid'] as const).map(
      (field): [string, unknown, unknown] => [field, signed[field], data[field]],
    ),
  ];
  if (row !== undefined) {
    for (const [field, column] of Object.entries(APPROVAL_COLUMNS)) {
      expected.push([
        `approvals.${column}`,
        signed[field as keyof typeof signed],
        row[field as keyof SourceApprovalRow],
      ]);
    }
  }
  // A key trusted with its registration proves only that person, in that tenant, in one of its roles (the
  // tenant first: a kid registered in other tenants only is not this tenant's key, whoever it names).
  const identity = verdict.identity;
  if (identity !== undefined) {
    expected.push(
      ['registration.tenantId', recorded.tenantId, identity.tenantId],
      ['registration.subject', signed.approver, identity.subject],
      ['registration.role', identity.roles.includes(String(signed.role)), true],
    );
  }
  for (const [field, fromToken, stored] of expected) {
    if (fromToken !== stored) {
      return {
        code: 'APPROVAL_CLAIMS_MISMATCH',
        field,
        message: `The signed approval's ${field} differs from the recorded one`,
      };
    }
  }
  return undefined;
}
