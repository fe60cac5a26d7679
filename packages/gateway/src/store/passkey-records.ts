/**
 * The console's people in the store (issue 17): invitations (one-time enrolment links, kept by the SHA-256 of
 * their token) and WebAuthn passkeys (credential id, COSE public key, signature counter). Times are epoch
 * milliseconds; binary values are base64url (RFC 4648 section 5).
 */

/** An invitation: who may enrol, with which approval roles and principal access, until when. */
export interface InvitationRecord {
  /** SHA-256 (hex) of the one-time token; the token itself is never stored. */
  tokenHash: string;
  tenantId: string;
  subject: string;
  /** Approval roles (the gate roles the person approves in). */
  roles: string[];
  /** Principal roles the person signs in with (`approver`, `operator`, `auditor`). */
  access: string[];
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  /** The WebAuthn creation challenge last issued for it (base64url), or null. */
  challenge: string | null;
  usedAt: number | null;
}

/** A registered passkey: its credential, its person and the approver registry kid it is registered under. */
export interface PasskeyRecord {
  credentialId: string;
  tenantId: string;
  subject: string;
  kid: string;
  /** The COSE_Key (RFC 9052 section 7) of the credential, base64url. */
  publicKey: string;
  /** The authenticator's signature counter (W3C WebAuthn L3 section 6.1.1); 0 when it keeps none. */
  signCount: number;
  access: string[];
  transports: string[] | null;
  createdAt: number;
}

/** The console people's part of a store transaction (`StoreTx` extends it). */
export interface PasskeysTx {
  insertInvitation(record: InvitationRecord): Promise<void>;
  getInvitation(tokenHash: string): Promise<InvitationRecord | undefined>;
  /** Records the creation challenge issued for an unused invitation. */
  setInvitationChallenge(tokenHash: string, challenge: string): Promise<void>;
  /** Marks an invitation used; false (nothing changed) when it already was. */
  useInvitation(tokenHash: string, atMs: number): Promise<boolean>;
  /** Registers a passkey; false (nothing written) when its credential id is already registered. */
  insertPasskey(record: PasskeyRecord): Promise<boolean>;
  getPasskey(credentialId: string): Promise<PasskeyRecord | undefined>;
  /** A person's passkeys in a tenant. */
  listPasskeys(tenantId: string, subject: string): Promise<PasskeyRecord[]>;
  /**
   * Raises a passkey's signature counter (W3C WebAuthn L3 section 6.1.1) to `signCount`, only ever upwards: one
   * conditional `UPDATE ... WHERE sign_count < $signCount`, so of two replicas signing in with one passkey at once
   * the lower counter never overwrites the higher. `signCount` 0 (an authenticator that keeps no counter) is
   * accepted only while the stored counter is 0 too. False (nothing changed) when the stored counter is already
   * `signCount` or higher (another sign-in got there first: this assertion's counter did not increase), or the
   * credential is unknown.
   */
  raisePasskeySignCount(credentialId: string, signCount: number): Promise<boolean>;
}

/** An `invitations` row as either dialect's drizzle schema selects it: the role lists as JSON arrays (text). */
export type StoredInvitationRow = Omit<InvitationRecord, 'roles' | 'access'> & {
  roles: string;
  access: string;
};

/** A `passkeys` row as either dialect selects it: `access` and `transports` as JSON arrays (text), or null. */
export type StoredPasskeyRow = Omit<PasskeyRecord, 'access' | 'transports'> & {
  access: string;
  transports: string | null;
};

const strings = (json: string): string[] => JSON.parse(json) as string[];

/** A stored invitation row as a record (both dialects). */
export function toInvitation(row: StoredInvitationRow): InvitationRecord {
  return { ...row, roles: strings(row.roles), access: strings(row.access) };
}

/** An invitation as its row is written (both dialects). */
export function invitationRow(record: InvitationRecord): StoredInvitationRow {
  return { ...record, roles: JSON.stringify(record.roles), access: JSON.stringify(record.access) };
}

/** A stored passkey row as a record (both dialects). */
export function toPasskey(row: StoredPasskeyRow): PasskeyRecord {
  return {
    ...row,
    access: strings(row.access),
    transports: row.transports === null ? null : strings(row.transports),
  };
}

/** A passkey as its row is written (both dialects). */
export function passkeyRow(record: PasskeyRecord): StoredPasskeyRow {
  const { access, transports } = record;
  return {
    ...record,
    access: JSON.stringify(access),
    transports: transports === null ? null : JSON.stringify(transports),
  };
}
