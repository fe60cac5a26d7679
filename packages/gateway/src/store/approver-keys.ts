/**
 * One approver key of the registry (see `approvals/approver-registry.ts`): `kid` bound to one `subject`, one
 * tenant and its `roles` (sorted, at least one). `jwk` is the pinned public JWK as JSON text (RFC 7517, public
 * members only), `thumbprint` its RFC 7638 SHA-256 thumbprint (base64url). Times are epoch milliseconds.
 */
export interface ApproverKeyRecord {
  kid: string;
  tenantId: string;
  subject: string;
  roles: string[];
  jwk: string;
  thumbprint: string;
  status: 'active' | 'revoked';
  registeredAt: number;
  registeredBy: string;
  revokedAt: number | null;
  revokedBy: string | null;
  reason: string | null;
}

/**
 * The approver registry's part of a store transaction (`StoreTx` extends it). Kids are global, not per tenant: a
 * kid is registered once and never changes owner.
 */
export interface ApproverKeysTx {
  /** The registration of an approver key, active or revoked, or undefined when the kid was never registered. */
  getApproverKey(kid: string): Promise<ApproverKeyRecord | undefined>;
  /** A tenant's approver keys (active and revoked), ordered by subject then kid. */
  listApproverKeys(tenantId: string): Promise<ApproverKeyRecord[]>;
  /** Registers a key; false (and nothing written) when its kid is already registered (a kid never changes owner). */
  insertApproverKey(record: ApproverKeyRecord): Promise<boolean>;
  /** Revokes an active key; false (and nothing written) when it is unknown or already revoked. */
  revokeApproverKey(kid: string, revokedBy: string, reason: string, atMs: number): Promise<boolean>;
}
