/**
 * A console session as stored in `console_sessions` (issue 15, brief decision 10), so a session opened on one
 * replica is accepted by every other and survives a restart. The session id (the cookie value) is never stored:
 * only its SHA-256, hex (`tokenHash`), so the table holds nothing a cookie could be rebuilt from.
 */
export interface ConsoleSessionRecord {
  /** SHA-256 of the session id, lowercase hex (64 characters): the key. */
  tokenHash: string;
  tenantId: string;
  subject: string;
  /** Principal roles (`Role`s), in order. */
  access: string[];
  /** Approval roles of the person, in order. */
  approvalRoles: string[];
  /** The session's CSRF token (synchronizer token pattern): checked against a header, worthless without the cookie. */
  csrfToken: string;
  /** Epoch ms when it was opened. */
  createdAt: number;
  /** Epoch ms from which it is no longer accepted. */
  expiresAt: number;
}

/** The console session methods of a transaction (see {@link ConsoleSessionRecord}). */
export interface ConsoleSessionsTx {
  /** Stores a new session. @throws the store's unique-key error when `tokenHash` exists (never in practice). */
  insertConsoleSession(record: ConsoleSessionRecord): Promise<void>;
  /**
   * The session of `tokenHash` when it is still live at `atMs` (epoch ms: `atMs < expiresAt`); undefined when
   * unknown, ended or expired.
   */
  consoleSession(tokenHash: string, atMs: number): Promise<ConsoleSessionRecord | undefined>;
  /** Ends a session; false when there was none. */
  deleteConsoleSession(tokenHash: string): Promise<boolean>;
  /** Deletes every session expired at `atMs` (epoch ms: `expiresAt <= atMs`); returns how many. */
  deleteExpiredConsoleSessions(atMs: number): Promise<number>;
}

/**
 * A `console_sessions` row as either dialect's drizzle schema selects it (`sqlite/schema.ts`,
 * `postgres/schema.ts`): the role lists as JSON arrays (text).
 */
export type StoredConsoleSessionRow = Omit<ConsoleSessionRecord, 'access' | 'approvalRoles'> & {
  access: string;
  approvalRoles: string;
};

/** A stored row as a record: the role lists parsed from their JSON arrays (both dialects). */
export function toConsoleSession(row: StoredConsoleSessionRow): ConsoleSessionRecord {
  return {
    ...row,
    access: JSON.parse(row.access) as string[],
    approvalRoles: JSON.parse(row.approvalRoles) as string[],
  };
}

/** A record as its row is written (both dialects). */
export function consoleSessionRow(record: ConsoleSessionRecord): StoredConsoleSessionRow {
  return {
    ...record,
    access: JSON.stringify(record.access),
    approvalRoles: JSON.stringify(record.approvalRoles),
  };
}
