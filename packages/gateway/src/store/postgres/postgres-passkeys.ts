import { and, asc, eq, isNull } from 'drizzle-orm';
import type { InvitationRecord, PasskeyRecord, PasskeysTx } from '../passkey-records.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

type InvitationRow = typeof s.invitations.$inferSelect;
type PasskeyRow = typeof s.passkeys.$inferSelect;

const strings = (json: string): string[] => JSON.parse(json) as string[];

function toInvitation(row: InvitationRow): InvitationRecord {
  return { ...row, roles: strings(row.roles), access: strings(row.access) };
}

function toPasskey(row: PasskeyRow): PasskeyRecord {
  return {
    ...row,
    access: strings(row.access),
    transports: row.transports === null ? null : strings(row.transports),
  };
}

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
      const { roles, access } = record;
      await db
        .insert(i)
        .values({ ...record, roles: JSON.stringify(roles), access: JSON.stringify(access) });
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
      const { access, transports } = record;
      const result = await db
        .insert(p)
        .values({
          ...record,
          access: JSON.stringify(access),
          transports: transports === null ? null : JSON.stringify(transports),
        })
        .onConflictDoNothing();
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

    async setPasskeySignCount(credentialId, signCount) {
      await db.update(p).set({ signCount }).where(eq(p.credentialId, credentialId));
    },
  };
}
