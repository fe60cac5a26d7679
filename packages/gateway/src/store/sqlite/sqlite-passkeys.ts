import { and, eq, isNull } from 'drizzle-orm';
import { signCountRaisable } from '../passkey-counter.js';
import {
  type InvitationRecord,
  invitationRow,
  type PasskeyRecord,
  type PasskeysTx,
  passkeyRow,
  toInvitation,
  toPasskey,
} from '../passkey-records.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/**
 * The console people's statements in a SQLite transaction (tables `invitations` and `passkeys`, see
 * `store/passkey-records.ts`); arrays are stored as JSON text.
 */
export class SqlitePasskeys implements PasskeysTx {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  async insertInvitation(record: InvitationRecord): Promise<void> {
    this.#db.insert(s.invitations).values(invitationRow(record)).run();
  }

  async getInvitation(tokenHash: string): Promise<InvitationRecord | undefined> {
    const i = s.invitations;
    const row = this.#db.select().from(i).where(eq(i.tokenHash, tokenHash)).get();
    return row ? toInvitation(row) : undefined;
  }

  async setInvitationChallenge(tokenHash: string, challenge: string): Promise<void> {
    const i = s.invitations;
    this.#db
      .update(i)
      .set({ challenge })
      .where(and(eq(i.tokenHash, tokenHash), isNull(i.usedAt)))
      .run();
  }

  async useInvitation(tokenHash: string, atMs: number): Promise<boolean> {
    const i = s.invitations;
    const result = this.#db
      .update(i)
      .set({ usedAt: atMs })
      .where(and(eq(i.tokenHash, tokenHash), isNull(i.usedAt)))
      .run();
    return result.changes > 0;
  }

  async insertPasskey(record: PasskeyRecord): Promise<boolean> {
    const result = this.#db
      .insert(s.passkeys)
      .values(passkeyRow(record))
      .onConflictDoNothing()
      .run();
    return result.changes > 0;
  }

  async getPasskey(credentialId: string): Promise<PasskeyRecord | undefined> {
    const p = s.passkeys;
    const row = this.#db.select().from(p).where(eq(p.credentialId, credentialId)).get();
    return row ? toPasskey(row) : undefined;
  }

  async listPasskeys(tenantId: string, subject: string): Promise<PasskeyRecord[]> {
    const p = s.passkeys;
    const rows = this.#db
      .select()
      .from(p)
      .where(and(eq(p.tenantId, tenantId), eq(p.subject, subject)))
      .orderBy(p.createdAt)
      .all();
    return rows.map(toPasskey);
  }

  async raisePasskeySignCount(credentialId: string, signCount: number): Promise<boolean> {
    const p = s.passkeys;
    const result = this.#db
      .update(p)
      .set({ signCount })
      .where(and(eq(p.credentialId, credentialId), signCountRaisable(p.signCount, signCount)))
      .run();
    return result.changes > 0;
  }
}
