import {
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { type LineageEvent, sha256Digest } from '@handoff/protocol';
import type Database from 'better-sqlite3';

/** Token ids drawn from the system's CSPRNG per call of `randomBytes`: 16 bytes each, as `newJti`. */
const JTI_POOL = 4096;

/** The `approvals` row of a template approval, in its columns' order (see the store's schema). */
interface ApprovalRow {
  jti: string;
  plan_id: string;
  option_id: string;
  approver: string;
  role: string;
  decision: string;
  kid: string;
  token_digest: string;
  max_spend_minor: number;
  currency: string;
  received_at: number;
}

/** What one fresh approval changes in its `approval.accepted` event: the token's digest and id. */
export interface FreshApproval {
  refs: LineageEvent['refs'];
  data: LineageEvent['data'];
}

/**
 * Fresh approvals for copies of one real `approval.accepted` event: each copy of the template's plan gets its own
 * token, signed now with the approver's private key (the one that signed the template's token, under its `kid`),
 * with the template token's claims but for the copy's plan id and with a fresh `jti` (16 random bytes, base64url).
 * The compact JWS (RFC 7515) is assembled here: the template's protected header (`alg` EdDSA, `kid`, `typ`)
 * verbatim, the claims as `JSON.stringify` writes them (jose's order), an Ed25519 signature (RFC 8037) by
 * `node:crypto`. Then the rows the gateway writes when it accepts an approval (`recordApproval`) are written as it
 * would: the token in `payloads` (kind `ApprovalJws`, keyed by its `sha256Digest`), its `approvals` row and its
 * `used_tokens` row, with the template's times. For benchmarks only: test data, not the gateway's signing path.
 */
export class ApprovalCopies {
  readonly #template: LineageEvent;
  readonly #header: string;
  readonly #claims: Record<string, unknown>;
  readonly #key: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #row: ApprovalRow;
  readonly #createdAt: number;
  readonly #usedAt: number;
  readonly #insertPayload: Database.Statement;
  readonly #insertApproval: Database.Statement;
  readonly #insertUsed: Database.Statement;
  #jtis = Buffer.alloc(0);
  #jtiAt = 0;

  /**
   * @param template - a real `approval.accepted` event of this database.
   * @param privateJwk - the private key of the approver that signed the template's token.
   * @throws Error when the template's token, rows or key are not there, or the key did not sign the token.
   */
  constructor(db: Database.Database, template: LineageEvent, privateJwk: JsonWebKey) {
    const digest = String(template.refs.approval);
    const payload = db
      .prepare(
        "select body, created_at createdAt from payloads where digest = ? and kind = 'ApprovalJws'",
      )
      .get(digest) as { body: string; createdAt: number } | undefined;
    const row = db.prepare('select * from approvals where token_digest = ?').get(digest) as
      | ApprovalRow
      | undefined;
    const used = db.prepare('select used_at usedAt from used_tokens where jti = ?').get(row?.jti) as
      | { usedAt: number }
      | undefined;
    if (payload === undefined || row === undefined || used === undefined) {
      throw new Error(`The approval ${digest} of seq ${template.seq} is not stored`);
    }
    const [header = '', claims = ''] = payload.body.split('.');
    this.#template = template;
    this.#header = header;
    this.#claims = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8'));
    this.#key = createPrivateKey({ key: privateJwk, format: 'jwk' });
    this.#publicKey = createPublicKey(this.#key);
    if (!this.#verifies(payload.body)) {
      throw new Error(`The approver key given did not sign the approval ${digest}`);
    }
    this.#row = row;
    this.#createdAt = payload.createdAt;
    this.#usedAt = used.usedAt;
    this.#insertPayload = db.prepare(
      'insert into payloads (digest, kind, body, created_at) values (?, ?, ?, ?)',
    );
    this.#insertApproval = db.prepare(
      `insert into approvals (jti, plan_id, option_id, approver, role, decision, kid, token_digest,
       max_spend_minor, currency, received_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertUsed = db.prepare(
      'insert into used_tokens (jti, plan_id, used_at) values (?, ?, ?)',
    );
  }

  /**
   * Signs and stores a fresh approval of the template's plan digest for `planId`. With `check`, the token is also
   * verified with the approver's public key and its claims compared, field by field, with what the event records.
   *
   * @returns the `refs` and `data` of the copy's `approval.accepted` event.
   * @throws Error when a checked token does not verify or disagrees with its event.
   */
  sign(planId: string, check: boolean): FreshApproval {
    const jti = this.#nextJti();
    const claims = JSON.stringify({ ...this.#claims, planId, jti });
    const signingInput = `${this.#header}.${Buffer.from(claims).toString('base64url')}`;
    const signature = sign(null, Buffer.from(signingInput), this.#key).toString('base64url');
    const token = `${signingInput}.${signature}`;
    const tokenDigest = sha256Digest(token);
    const r = this.#row;
    this.#insertPayload.run(tokenDigest, 'ApprovalJws', token, this.#createdAt);
    this.#insertApproval.run(
      ...[jti, planId, r.option_id, r.approver, r.role, r.decision, r.kid, tokenDigest],
      ...[r.max_spend_minor, r.currency, r.received_at],
    );
    this.#insertUsed.run(jti, planId, this.#usedAt);
    const fresh = {
      refs: { ...this.#template.refs, approval: tokenDigest },
      data: { ...this.#template.data, jti },
    };
    if (check && !this.#matches(token, planId, fresh)) {
      throw new Error(`The approval signed for plan ${planId} does not match its event`);
    }
    return fresh;
  }

  /** A fresh token id: 16 bytes of a pool filled by `randomBytes`, base64url (22 characters). */
  #nextJti(): string {
    if (this.#jtiAt >= this.#jtis.length) {
      this.#jtis = randomBytes(16 * JTI_POOL);
      this.#jtiAt = 0;
    }
    this.#jtiAt += 16;
    return this.#jtis.subarray(this.#jtiAt - 16, this.#jtiAt).toString('base64url');
  }

  #verifies(token: string): boolean {
    const cut = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(cut + 1), 'base64url');
    return verify(null, Buffer.from(token.slice(0, cut)), this.#publicKey, signature);
  }

  /** True when `token` verifies and its claims are what the verifier compares with the event (`checkRecordedApproval`). */
  #matches(token: string, planId: string, event: FreshApproval): boolean {
    const [header = '', payload = ''] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    const { data, refs } = event;
    return (
      this.#verifies(token) &&
      claims.planId === planId &&
      claims.planDigest === refs.plan &&
      claims.sub === data.approver &&
      claims.role === data.role &&
      claims.decision === data.decision &&
      claims.optionId === data.optionId &&
      claims.jti === data.jti &&
      claims.iat === data.issuedAt &&
      claims.exp === data.expiresAt &&
      kid === data.kid &&
      sha256Digest(token) === refs.approval
    );
  }
}
