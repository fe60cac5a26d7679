import { and, eq, lte, sql } from 'drizzle-orm';
import {
  type ConsoleSessionRecord,
  type ConsoleSessionsTx,
  consoleSessionRow,
  toConsoleSession,
} from '../console-sessions.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/**
 * The console sessions of a SQLite transaction (`console_sessions`, see {@link ConsoleSessionsTx}). Times are epoch
 * milliseconds; a session is live while `atMs < expires_at`.
 */
export class SqliteConsoleSessions implements ConsoleSessionsTx {
  readonly #db: SqliteDb;
  readonly #live;

  constructor(db: SqliteDb) {
    this.#db = db;
    const c = s.consoleSessions;
    this.#live = db
      .select()
      .from(c)
      .where(
        and(
          eq(c.tokenHash, sql.placeholder('tokenHash')),
          sql`${c.expiresAt} > ${sql.placeholder('atMs')}`,
        ),
      )
      .prepare();
  }

  async insertConsoleSession(record: ConsoleSessionRecord): Promise<void> {
    this.#db.insert(s.consoleSessions).values(consoleSessionRow(record)).run();
  }

  async consoleSession(tokenHash: string, atMs: number): Promise<ConsoleSessionRecord | undefined> {
    const row = this.#live.get({ tokenHash, atMs });
    return row ? toConsoleSession(row) : undefined;
  }

  async deleteConsoleSession(tokenHash: string): Promise<boolean> {
    const c = s.consoleSessions;
    return this.#db.delete(c).where(eq(c.tokenHash, tokenHash)).run().changes > 0;
  }

  async deleteExpiredConsoleSessions(atMs: number): Promise<number> {
    const c = s.consoleSessions;
    return this.#db.delete(c).where(lte(c.expiresAt, atMs)).run().changes;
  }
}
