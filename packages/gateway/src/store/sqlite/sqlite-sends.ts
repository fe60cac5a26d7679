import { and, asc, eq, gte, inArray } from 'drizzle-orm';
import type { SendRecord } from '../store.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/** SQLite's default limit on host parameters is 32,766; keys are looked up in chunks well below it. */
const KEYS_PER_QUERY = 500;

/**
 * The `contact_sends` statements of a SQLite transaction: what frequency caps count (see `SendRecord`). Kept
 * apart from {@link SqliteTx} so that each file holds one concept.
 */
export class SqliteSends {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  record(rows: readonly SendRecord[]): void {
    if (rows.length === 0) return;
    for (let i = 0; i < rows.length; i += KEYS_PER_QUERY) {
      this.#db
        .insert(s.contactSends)
        .values(rows.slice(i, i + KEYS_PER_QUERY))
        .onConflictDoNothing()
        .run();
    }
  }

  list(tenantId: string, recipientKeys: readonly string[], sinceMs: number): SendRecord[] {
    const t = s.contactSends;
    const out: SendRecord[] = [];
    const keys = [...new Set(recipientKeys)];
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const chunk = keys.slice(i, i + KEYS_PER_QUERY);
      out.push(
        ...this.#db
          .select()
          .from(t)
          .where(
            and(eq(t.tenantId, tenantId), inArray(t.recipientKey, chunk), gte(t.sentAt, sinceMs)),
          )
          .orderBy(asc(t.sentAt))
          .all(),
      );
    }
    return out;
  }
}
