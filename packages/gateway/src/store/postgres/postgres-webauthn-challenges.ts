import { and, eq, lte } from 'drizzle-orm';
import { takenChallenge, type WebauthnChallengesTx } from '../webauthn-challenges.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The open WebAuthn challenges of a PostgreSQL transaction (`webauthn_challenges`, see {@link WebauthnChallengesTx}):
 * shared by every replica, so a sign-in begun on one completes on another. Taking one is a single
 * `DELETE ... RETURNING`: of two replicas racing for the same row, one gets it and the other none (at READ
 * COMMITTED it waits on the row lock, then finds the row gone and deletes nothing).
 */
export function postgresWebauthnChallenges(db: PgDb): WebauthnChallengesTx {
  const c = s.webauthnChallenges;
  return {
    async insertWebauthnChallenge(record) {
      await db.insert(c).values(record);
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
