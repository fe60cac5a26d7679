import { and, eq, gt, lte } from 'drizzle-orm';
import {
  type ConsoleSessionsTx,
  consoleSessionRow,
  toConsoleSession,
} from '../console-sessions.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The console sessions of a PostgreSQL transaction (`console_sessions`, see {@link ConsoleSessionsTx}): shared by
 * every replica, so a session opened on one is accepted by all. Keyed by the SHA-256 of the session id (never
 * the id); times are epoch milliseconds, a session is live while `atMs < expires_at`.
 */
export function postgresConsoleSessions(db: PgDb): ConsoleSessionsTx {
  const c = s.consoleSessions;
  return {
    async insertConsoleSession(record) {
      await db.insert(c).values(consoleSessionRow(record));
    },

    async consoleSession(tokenHash, atMs) {
      const [row] = await db
        .select()
        .from(c)
        .where(and(eq(c.tokenHash, tokenHash), gt(c.expiresAt, atMs)));
      return row ? toConsoleSession(row) : undefined;
    },

    async deleteConsoleSession(tokenHash) {
      const result = await db.delete(c).where(eq(c.tokenHash, tokenHash));
      return (result.rowCount ?? 0) > 0;
    },

    async deleteExpiredConsoleSessions(atMs) {
      const result = await db.delete(c).where(lte(c.expiresAt, atMs));
      return result.rowCount ?? 0;
    },
  };
}
