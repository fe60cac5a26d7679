import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type { StoreTx } from '../store.js';
import { postgresApprovals } from './postgres-approvals.js';
import { postgresApproverKeys } from './postgres-approver-keys.js';
import { postgresBudget } from './postgres-budget.js';
import { postgresConsoleSessions } from './postgres-console-sessions.js';
import { postgresControls } from './postgres-controls.js';
import { postgresLineage } from './postgres-lineage.js';
import { postgresLineageLog } from './postgres-lineage-log.js';
import { postgresOutbox } from './postgres-outbox.js';
import { postgresPasskeys } from './postgres-passkeys.js';
import { postgresPlans } from './postgres-plans.js';
import { postgresSends } from './postgres-sends.js';
import { postgresWebauthnChallenges } from './postgres-webauthn-challenges.js';

/**
 * The drizzle database (or transaction) type of the PostgreSQL store, node-postgres driver (internal: no public
 * type mentions drizzle).
 */
export type PgDb = PgDatabase<NodePgQueryResultHKT>;

/**
 * The {@link StoreTx} of one PostgreSQL transaction attempt, put together from one module per concept
 * (`postgres-plans.ts`, `postgres-budget.ts`, ...), each a set of methods on `db` (drizzle's transaction, on the
 * connection the attempt holds). Built afresh for every attempt, so nothing read by an attempt that was rolled
 * back (a cached chain head) survives into its retry.
 *
 * @param onAppended - told how many lineage events each `appendLineage` writes (before commit).
 * @param readOnly - the store's connections are read-only: `getPlan` takes no row lock.
 */
export function postgresTx(
  db: PgDb,
  onAppended: (count: number) => void,
  readOnly = false,
): StoreTx {
  // Object.assign, not object spread: spreading these method objects (closures, some 60 properties) into one
  // costs about 50x more in V8 (about 0.3 ms per transaction on a loaded core, against 6 us), and it runs for
  // every transaction attempt. Three sources per call keep the result typed.
  const plans = Object.assign(
    { passkeys: postgresPasskeys(db) },
    postgresPlans(db, readOnly),
    postgresLineage(db, onAppended),
    postgresLineageLog(db),
  );
  const budget = Object.assign(
    plans,
    postgresBudget(db),
    postgresApprovals(db),
    postgresApproverKeys(db),
  );
  const outbox = Object.assign(budget, postgresControls(db), postgresOutbox(db), postgresSends(db));
  return Object.assign(outbox, postgresConsoleSessions(db), postgresWebauthnChallenges(db));
}
