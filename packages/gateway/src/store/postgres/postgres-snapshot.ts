import { sql } from 'drizzle-orm';
import type { PgDb } from './postgres-tx.js';

/** One snapshot of a PostgreSQL database held open (see {@link holdSnapshot}). */
export interface HeldSnapshot {
  /** The open transaction: every statement on it reads the snapshot; `db.transaction` runs in a savepoint. */
  db: PgDb;
  /** Ends the transaction (a read-only commit) and gives its connection back. */
  end(): Promise<void>;
}

/**
 * Begins a `REPEATABLE READ, READ ONLY` transaction on one connection of `db` and holds it open until `end`: every
 * read made on it sees the database as it was committed at its first statement
 * (https://www.postgresql.org/docs/15/transaction-iso.html#XACT-REPEATABLE-READ), however many statements and
 * pages a walk takes, and whatever the replicas commit meanwhile. A read-only transaction at that level never
 * fails to serialise. Held open, it keeps VACUUM from removing row versions newer than its snapshot: for
 * short-lived readers (an auditor's command), not a gateway.
 *
 * @throws the driver's error when the transaction cannot begin (the connection is given back then).
 */
export async function holdSnapshot(db: PgDb): Promise<HeldSnapshot> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let opened: (tx: PgDb) => void = () => {};
  const open = new Promise<PgDb>((resolve) => {
    opened = resolve;
  });
  const held = db.transaction(
    async (tx) => {
      // The snapshot is taken at the first statement, not at BEGIN: take it now.
      await tx.execute(sql`select 1`);
      opened(tx);
      await released;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  const tx = await Promise.race([
    open,
    held.then(() => {
      throw new Error('The snapshot transaction ended before it was opened');
    }),
  ]);
  return {
    db: tx,
    end: () => {
      release();
      return held;
    },
  };
}
