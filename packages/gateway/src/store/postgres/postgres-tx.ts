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
 * `methods` with every function made to wait for the call before it (of any object sharing `queue`) to settle
 * before it starts: one transaction holds one connection, and `pg` runs one query at a time on a connection,
 * queueing the rest itself, which pg 8 deprecates ("Calling client.query() when the client is already executing
 * a query is deprecated", pg 9 removes it). Callers may well run a transaction's methods at once (`Promise.all`
 * over a page of plans): this makes them take turns in call order, as the driver would have, without the
 * deprecated queue. A method never calls another through these wrappers (each goes to `db` itself), so none
 * waits for itself. Non-function members are kept as they are.
 */
export function oneCallAtATime<T extends object>(methods: T, queue: { tail: Promise<unknown> }): T {
  const queued: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(methods)) {
    if (typeof member !== 'function') {
      queued[name] = member;
      continue;
    }
    queued[name] = (...args: unknown[]) => {
      const call = queue.tail.then(() => member.apply(methods, args));
      queue.tail = call.catch(() => undefined);
      return call;
    };
  }
  return queued as T;
}

/**
 * The {@link StoreTx} of one PostgreSQL transaction attempt, put together from one module per concept
 * (`postgres-plans.ts`, `postgres-budget.ts`, ...), each a set of methods on `db` (drizzle's transaction, on the
 * connection the attempt holds). Built afresh for every attempt, so nothing read by an attempt that was rolled
 * back (a cached chain head) survives into its retry. Its methods take turns ({@link oneCallAtATime}), so
 * the attempt's connection never gets a query while another runs.
 *
 * @param onAppended - told how many lineage events each `appendLineage` writes (before commit).
 * @param readOnly - the store's connections are read-only: `getPlan` takes no row lock.
 */
export function postgresTx(
  db: PgDb,
  onAppended: (count: number) => void,
  readOnly = false,
): StoreTx {
  const queue = { tail: Promise.resolve<unknown>(undefined) };
  // Object.assign, not object spread: spreading these method objects (closures, some 60 properties) into one
  // costs about 50x more in V8 (about 0.3 ms per transaction on a loaded core, against 6 us), and it runs for
  // every transaction attempt. Three sources per call keep the result typed.
  const plans = Object.assign(
    { passkeys: oneCallAtATime(postgresPasskeys(db), queue) },
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
  const all = Object.assign(outbox, postgresConsoleSessions(db), postgresWebauthnChallenges(db));
  return oneCallAtATime(all, queue);
}
