import { and, count, eq, lte } from 'drizzle-orm';
import {
  takenChallenge,
  type WebauthnChallengePurpose,
  type WebauthnChallengeRecord,
  type WebauthnChallengesTx,
} from '../webauthn-challenges.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/**
 * The open WebAuthn challenges of a SQLite transaction (`webauthn_challenges`, see {@link WebauthnChallengesTx}).
 * Times are epoch milliseconds; a challenge is live while `atMs < expires_at`.
 */
export class SqliteWebauthnChallenges implements WebauthnChallengesTx {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  /** The single writer serialises the count and the insert: `BEGIN IMMEDIATE` holds the file's write lock. */
  async issueWebauthnChallenge(
    record: WebauthnChallengeRecord,
    atMs: number,
    maxOpen: number,
  ): Promise<boolean> {
    const c = s.webauthnChallenges;
    this.#db.delete(c).where(lte(c.expiresAt, atMs)).run();
    const open = this.#db.select({ n: count() }).from(c).get()?.n ?? 0;
    if (open >= maxOpen) return false;
    this.#db.insert(c).values(record).run();
    return true;
  }

  async takeWebauthnChallenge(
    challengeHash: string,
    purpose: WebauthnChallengePurpose,
    atMs: number,
  ): Promise<WebauthnChallengeRecord | undefined> {
    const c = s.webauthnChallenges;
    const row = this.#db
      .delete(c)
      .where(and(eq(c.challengeHash, challengeHash), eq(c.purpose, purpose)))
      .returning()
      .get();
    return takenChallenge(row, purpose, atMs);
  }

  async deleteExpiredWebauthnChallenges(atMs: number): Promise<number> {
    const c = s.webauthnChallenges;
    return this.#db.delete(c).where(lte(c.expiresAt, atMs)).run().changes;
  }
}
