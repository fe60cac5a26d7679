import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
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
  readonly #insert;

  constructor(db: SqliteDb) {
    this.#db = db;
    const p = sql.placeholder;
    // One row per run, prepared once: a send records a few rows, and building a multi-row statement for each
    // call cost more than running this one per row in the same transaction.
    this.#insert = db
      .insert(s.contactSends)
      .values({
        tenantId: p('tenantId'),
        recipientKey: p('recipientKey'),
        channel: p('channel'),
        idempotencyKey: p('idempotencyKey'),
        planId: p('planId'),
        sentAt: p('sentAt'),
      })
      .onConflictDoNothing()
      .prepare();
  }

  record(rows: readonly SendRecord[]): void {
    for (const row of rows) this.#insert.run({ ...row });
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
