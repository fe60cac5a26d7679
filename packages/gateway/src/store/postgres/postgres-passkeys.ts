import { and, asc, eq, isNull } from 'drizzle-orm';
import { signCountRaisable } from '../passkey-counter.js';
import {
  invitationRow,
  type PasskeysTx,
  passkeyRow,
  toInvitation,
  toPasskey,
} from '../passkey-records.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The console people's methods in a PostgreSQL transaction (`invitations` and `passkeys`, see
 * `store/passkey-records.ts`); arrays are stored as JSON text, times are epoch milliseconds. An invitation is
 * used once: `useInvitation` is a compare-and-set on `used_at IS NULL`, so two replicas enrolling with one link
 * cannot both succeed.
 */
export function postgresPasskeys(db: PgDb): PasskeysTx {
  const i = s.invitations;
  const p = s.passkeys;
  return {
    async insertInvitation(record) {
      await db.insert(i).values(invitationRow(record));
    },

    async getInvitation(tokenHash) {
      const [row] = await db.select().from(i).where(eq(i.tokenHash, tokenHash));
      return row ? toInvitation(row) : undefined;
    },

    async setInvitationChallenge(tokenHash, challenge) {
      await db
        .update(i)
        .set({ challenge })
        .where(and(eq(i.tokenHash, tokenHash), isNull(i.usedAt)));
    },

    async useInvitation(tokenHash, atMs) {
      const result = await db
        .update(i)
        .set({ usedAt: atMs })
        .where(and(eq(i.tokenHash, tokenHash), isNull(i.usedAt)));
      return (result.rowCount ?? 0) > 0;
    },

    async insertPasskey(record) {
      const result = await db.insert(p).values(passkeyRow(record)).onConflictDoNothing();
      return (result.rowCount ?? 0) > 0;
    },

    async getPasskey(credentialId) {
      const [row] = await db.select().from(p).where(eq(p.credentialId, credentialId));
      return row ? toPasskey(row) : undefined;
    },

    async listPasskeys(tenantId, subject) {
      const rows = await db
        .select()
        .from(p)
        .where(and(eq(p.tenantId, tenantId), eq(p.subject, subject)))
        .orderBy(asc(p.createdAt));
      return rows.map(toPasskey);
    },

    async raisePasskeySignCount(credentialId, signCount) {
      const result = await db
        .update(p)
        .set({ signCount })
        .where(and(eq(p.credentialId, credentialId), signCountRaisable(p.signCount, signCount)));
      return (result.rowCount ?? 0) > 0;
    },
  };
}
