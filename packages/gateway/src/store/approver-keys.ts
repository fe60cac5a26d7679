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
 * The approver registry's part of a store transaction (`StoreTx` extends it). Kids are per tenant: a registration
 * is keyed (`tenantId`, `kid`), is never re-owned, and no method reads or reports another tenant's registrations
 * (the same kid, or the same key material, may be registered in two tenants, as two unrelated registrations).
 */
export interface ApproverKeysTx {
  /**
   * The registration of an approver key in `tenantId`, active or revoked, or undefined when the tenant never
   * registered the kid (whether another tenant did is not told).
   */
  getApproverKey(tenantId: string, kid: string): Promise<ApproverKeyRecord | undefined>;
  /** A tenant's approver keys (active and revoked), ordered by subject then kid. */
  listApproverKeys(tenantId: string): Promise<ApproverKeyRecord[]>;
  /**
   * Registers a key in its tenant; false (and nothing written) when that tenant already registered its kid or its
   * key material (thumbprint) under any kid.
   */
  insertApproverKey(record: ApproverKeyRecord): Promise<boolean>;
  /** Revokes an active key of `tenantId`; false (and nothing written) when it is unknown there or already revoked. */
  revokeApproverKey(
    tenantId: string,
    kid: string,
    revokedBy: string,
    reason: string,
    atMs: number,
  ): Promise<boolean>;
}

/**
 * An `approver_keys` row as either dialect's drizzle schema selects it (`sqlite/schema.ts`, `postgres/schema.ts`):
 * `roles` as a JSON array (text), the status as text.
 */
export type StoredApproverKeyRow = Omit<ApproverKeyRecord, 'roles' | 'status'> & {
  roles: string;
  status: string;
};

/** A stored row as a record (both dialects; its status is one the store wrote). */
export function toApproverKey(row: StoredApproverKeyRow): ApproverKeyRecord {
  return {
    ...row,
    roles: JSON.parse(row.roles) as string[],
    status: row.status as ApproverKeyRecord['status'],
  };
}

/** A record as its row is written (both dialects). */
export function approverKeyRow(record: ApproverKeyRecord): StoredApproverKeyRow {
  return { ...record, roles: JSON.stringify(record.roles) };
}
