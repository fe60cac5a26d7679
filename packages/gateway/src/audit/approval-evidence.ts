import type { JsonWebKey } from 'node:crypto';
import { sha256Digest } from '@handoff/protocol';
import type { JWK } from 'jose';
import { ALLOWED_ALGORITHMS, APPROVAL_TOKEN_TYPE } from '../approvals/signing-keys.js';
import {
  SignedDocumentError,
  type SignedDocumentErrorCode,
} from '../signing/signed-document-error.js';
import { type VerifiedDocument, verifySignedDocument } from '../signing/verify-signed-document.js';
import type { SourceApprovalRow } from './lineage-source.js';
import {
  isPasskeyEvidence,
  parsePasskeyEvidence,
  passkeyKid,
  passkeyTokenId,
  statementChallenge,
  verifyPasskeyAssertion,
} from './passkey-evidence.js';
import type { ApproverIdentity, KeyJudge, KeyVerdict } from './trust-anchors.js';

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

/**
 * The problem of each signed-document refusal: a key the judge did not give is `APPROVAL_KEY_UNKNOWN` (or
 * `APPROVAL_KEY_UNTRUSTED` when the judge said why), anything else `APPROVAL_SIGNATURE_INVALID`.
 */
const PROBLEM_OF: Readonly<
  Record<SignedDocumentErrorCode, 'APPROVAL_KEY_UNKNOWN' | 'APPROVAL_SIGNATURE_INVALID'>
> = {
  SIGNED_DOCUMENT_UNKNOWN_KEY: 'APPROVAL_KEY_UNKNOWN',
  SIGNED_DOCUMENT_MALFORMED: 'APPROVAL_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_ALG_NOT_ALLOWED: 'APPROVAL_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_TYP_MISMATCH: 'APPROVAL_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_INVALID_SIGNATURE: 'APPROVAL_SIGNATURE_INVALID',
  // Claim codes come from JWT verification only; time claims are not re-checked offline.
  SIGNED_DOCUMENT_EXPIRED: 'APPROVAL_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_NOT_YET_VALID: 'APPROVAL_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_WRONG_AUDIENCE: 'APPROVAL_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_CLAIM_MISSING: 'APPROVAL_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_CLAIM_INVALID: 'APPROVAL_SIGNATURE_INVALID',
};

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
 * A passkey approval's evidence (JSON, see `passkey-evidence.ts`) is checked by {@link checkPasskeyApproval}
 * instead.
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
  if (isPasskeyEvidence(token)) return checkPasskeyApproval(recorded, token, judge, row);
  // The judge's verdict on the token's key; a judge that cannot read its anchors throws: an error, not a verdict.
  let verdict: KeyVerdict | undefined;
  let verified: VerifiedDocument<Uint8Array, { key: JWK; identity?: ApproverIdentity }>;
  try {
    verified = await verifySignedDocument(token, {
      typ: APPROVAL_TOKEN_TYPE,
      algorithms: ALLOWED_ALGORITHMS,
      resolveKey: async (header) => {
        verdict = await judge('approver', header, recorded.tenantId);
        return verdict.ok ? { key: verdict.jwk, identity: verdict.identity } : undefined;
      },
    });
  } catch (error) {
    if (!(error instanceof SignedDocumentError)) throw error;
    const kid = error.kid ?? '';
    const code = PROBLEM_OF[error.code];
    if (code === 'APPROVAL_SIGNATURE_INVALID') {
      return { code, kid, message: `The approval does not verify with the key of kid ${kid}` };
    }
    return verdict?.ok === false && verdict.reason === 'untrusted'
      ? { code: 'APPROVAL_KEY_UNTRUSTED', kid, message: verdict.message }
      : { code, kid, message: `No approver key ${kid} is recorded` };
  }
  const { kid } = verified;
  let claims: Record<string, unknown> | undefined;
  try {
    claims = JSON.parse(new TextDecoder().decode(verified.payload)) ?? undefined;
  } catch {
    // Below.
  }
  if (typeof claims !== 'object' || claims === undefined) {
    const message = `The approval signed by kid ${kid} is not a JSON object`;
    return { code: 'APPROVAL_SIGNATURE_INVALID', kid, message };
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
  const identity = verified.key.identity;
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

/**
 * Re-verifies, offline, a passkey approval (issue 17): its assertion must verify with the key recorded (or
 * trusted) for its credential's registry kid (`webauthn:<credential id>`), per W3C WebAuthn Level 3 section 7.2
 * (`verifyPasskeyAssertion`: type `webauthn.get`, the challenge = SHA-256 of the RFC 8785 statement, rpIdHash,
 * UP flag, signature over `authenticatorData || SHA-256(clientDataJSON)`), and what it signed must equal what
 * the event and the `approvals` row record: plan digest, option, decision, maximum spend, kid, and the token id
 * (`passkeyTokenId`: the credential id and the challenge). The approver and role are not signed by the authenticator: they come from the
 * credential's registration, which must name the recorded approver and hold the recorded role when anchored.
 */
async function checkPasskeyApproval(
  recorded: RecordedApproval,
  token: string,
  judge: KeyJudge,
  row: SourceApprovalRow | undefined,
): Promise<ApprovalProblem | undefined> {
  const evidence = parsePasskeyEvidence(token);
  const kid = evidence ? passkeyKid(evidence.credentialId) : String(recorded.data.kid ?? '');
  if (evidence === undefined) {
    return {
      code: 'APPROVAL_SIGNATURE_INVALID',
      kid,
      message: 'The passkey evidence is malformed',
    };
  }
  const verdict = await judge('approver', { alg: evidence.alg, kid }, recorded.tenantId);
  if (!verdict.ok) {
    return verdict.reason === 'untrusted'
      ? { code: 'APPROVAL_KEY_UNTRUSTED', kid, message: verdict.message }
      : { code: 'APPROVAL_KEY_UNKNOWN', kid, message: `No approver key ${kid} is recorded` };
  }
  const why = verifyPasskeyAssertion(evidence, verdict.jwk as JsonWebKey);
  if (why !== undefined) return { code: 'APPROVAL_SIGNATURE_INVALID', kid, message: why };
  const { statement } = evidence;
  const { data } = recorded;
  const jti = passkeyTokenId(evidence.credentialId, statementChallenge(statement));
  const signed = {
    planId: row?.planId ?? recorded.planId,
    approver: data.approver,
    role: data.role,
  };
  const expected: [string, unknown, unknown][] = [
    ['planDigest', statement.planDigest, recorded.planDigest],
    ['optionId', statement.optionId, data.optionId],
    ['decision', statement.decision, data.decision],
    ['maxSpend', canonicalMoney(statement.maxSpend), canonicalMoney(data.maxSpend)],
    ['kid', kid, data.kid],
    ['jti', jti, data.jti],
  ];
  if (row !== undefined) {
    const columns = {
      ...signed,
      optionId: statement.optionId,
      decision: statement.decision,
      jti,
      kid,
    };
    for (const [field, column] of Object.entries(APPROVAL_COLUMNS)) {
      expected.push([
        `approvals.${column}`,
        columns[field as keyof typeof columns],
        row[field as keyof SourceApprovalRow],
      ]);
    }
  }
  const identity = verdict.identity;
  if (identity !== undefined) {
    expected.push(
      ['registration.tenantId', recorded.tenantId, identity.tenantId],
      ['registration.subject', data.approver, identity.subject],
      ['registration.role', identity.roles.includes(String(data.role)), true],
    );
  }
  for (const [field, fromEvidence, stored] of expected) {
    if (fromEvidence !== stored) {
      return {
        code: 'APPROVAL_CLAIMS_MISMATCH',
        field,
        message: `The passkey approval's ${field} differs from the recorded one`,
      };
    }
  }
  return undefined;
}

function canonicalMoney(value: unknown): string {
  const money = value as { amountMinor?: unknown; currency?: unknown } | undefined;
  return `${String(money?.amountMinor)} ${String(money?.currency)}`;
}
