import { and, asc, eq, gte, inArray } from 'drizzle-orm';
import type { SendRecord, StoreTx } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/** PostgreSQL takes at most 65,535 parameters a statement; rows and keys go in chunks well below it. */
const PER_STATEMENT = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PER_STATEMENT) out.push(items.slice(i, i + PER_STATEMENT));
  return out;
}

/**
 * The `contact_sends` methods of a PostgreSQL transaction: what frequency caps count (see `SendRecord`; recipient
 * keys are hashes, never contacts in clear). Recording a send twice counts it once (primary key, do nothing).
 */
export function postgresSends(db: PgDb): Pick<StoreTx, 'recordSends' | 'listSends'> {
  const t = s.contactSends;
  return {
    async recordSends(rows) {
      for (const chunk of chunks(rows)) {
        await db.insert(t).values(chunk).onConflictDoNothing();
      }
    },

    async listSends(tenantId, recipientKeys, sinceMs) {
      const out: SendRecord[] = [];
      for (const chunk of chunks([...new Set(recipientKeys)])) {
        out.push(
          ...(await db
            .select()
            .from(t)
            .where(
              and(eq(t.tenantId, tenantId), inArray(t.recipientKey, chunk), gte(t.sentAt, sinceMs)),
            )
            .orderBy(asc(t.sentAt))),
        );
      }
      return out;
    },
  };
}
