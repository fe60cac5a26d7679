import { and, count, eq, lte, sql } from 'drizzle-orm';
import { takenChallenge, type WebauthnChallengesTx } from '../webauthn-challenges.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The advisory lock key issuing a challenge takes (`'HndfChlg'` as a 64-bit integer), with `pg_advisory_xact_lock`:
 * replicas issuing at once count and insert one after the other, so the bound on open challenges is exact (at READ
 * COMMITTED two transactions would each count before either inserts). Transaction-level: released at commit or
 * rollback, never leaked behind a connection pooler.
 */
const CHALLENGE_ISSUE_LOCK_KEY = 0x486e646643686c67n;

/**
 * The open WebAuthn challenges of a PostgreSQL transaction (`webauthn_challenges`, see {@link WebauthnChallengesTx}):
 * shared by every replica, so a sign-in begun on one completes on another. Taking one is a single
 * `DELETE ... RETURNING`: of two replicas racing for the same row, one gets it and the other none (at READ
 * COMMITTED it waits on the row lock, then finds the row gone and deletes nothing).
 */
export function postgresWebauthnChallenges(db: PgDb): WebauthnChallengesTx {
  const c = s.webauthnChallenges;
  return {
    async issueWebauthnChallenge(record, atMs, maxOpen) {
      await db.execute(
        sql`select pg_advisory_xact_lock(${CHALLENGE_ISSUE_LOCK_KEY.toString()}::bigint)`,
      );
      await db.delete(c).where(lte(c.expiresAt, atMs));
      const [open] = await db.select({ n: count() }).from(c);
      if ((open?.n ?? 0) >= maxOpen) return false;
      await db.insert(c).values(record);
      return true;
    },

    async takeWebauthnChallenge(challengeHash, purpose, atMs) {
      const [row] = await db
        .delete(c)
        .where(and(eq(c.challengeHash, challengeHash), eq(c.purpose, purpose)))
        .returning();
      return takenChallenge(row, purpose, atMs);
    },

    async deleteExpiredWebauthnChallenges(atMs) {
      const result = await db.delete(c).where(lte(c.expiresAt, atMs));
      return result.rowCount ?? 0;
    },
  };
}
