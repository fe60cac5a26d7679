import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { GENESIS_HASH, HandoffPlanSchema, planDigest } from '@handoff/protocol';
import Database from 'better-sqlite3';
import { removeDatabase } from './bench-gateway.js';
import { type FloorResult, timePlans } from './floor.js';

/**
 * The honest floor (issue 14): the least work the contract allows for one handoff, with the bare libraries and
 * nothing of the gateway. Per plan: zod parse of the plan (the protocol's schema), its RFC 8785 digest, ONE
 * Ed25519 verification (`node:crypto`), and the THREE transactions the protocol needs, each writing its minimal
 * rows and ONE hash-chained event of the plan's own chain (better-sqlite3, WAL, `synchronous = NORMAL` like the
 * gateway):
 * 1. submit: the plan row, the plan document by digest, `plan.received`;
 * 2. approve: the approval row, the plan's new state, its outbox row, `approval.accepted`;
 * 3. dispatch claim plus outcome: the outbox row done, the plan's final state, `dispatch.succeeded`.
 * Inputs (plans, signatures) are made before each timed chunk (`timePlans`). `rowsPerPlan` is the events written
 * per plan (3).
 */
export function runHonestFloor(options: { plans: number; dir: string }): FloorResult {
  const path = join(options.dir, 'honest-floor.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE plans (plan_id TEXT PRIMARY KEY, digest TEXT NOT NULL, state TEXT NOT NULL);
    CREATE TABLE payloads (digest TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE approvals (jti TEXT PRIMARY KEY, plan_id TEXT NOT NULL);
    CREATE TABLE outbox (key TEXT PRIMARY KEY, plan_id TEXT NOT NULL, status TEXT NOT NULL);
    CREATE TABLE events (id INTEGER PRIMARY KEY, plan_id TEXT NOT NULL, seq INTEGER NOT NULL,
      type TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL);
    CREATE INDEX events_plan ON events (plan_id, seq);`);
  const insertPlan = db.prepare('INSERT INTO plans VALUES (?, ?, ?)');
  const insertPayload = db.prepare('INSERT OR IGNORE INTO payloads VALUES (?, ?)');
  const insertApproval = db.prepare('INSERT INTO approvals VALUES (?, ?)');
  const setState = db.prepare('UPDATE plans SET state = ? WHERE plan_id = ?');
  const insertOutbox = db.prepare('INSERT INTO outbox VALUES (?, ?, ?)');
  const setOutbox = db.prepare('UPDATE outbox SET status = ? WHERE key = ?');
  const insertEvent = db.prepare(
    'INSERT INTO events (plan_id, seq, type, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  /** Appends one event to the plan's chain; returns its hash (the next event's `prevHash`). */
  const event = (planId: string, seq: number, type: string, prev: string, data: object) => {
    const body = JSON.stringify({ planId, seq, type, prevHash: prev, data });
    const hash = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    insertEvent.run(planId, seq, type, prev, hash, body);
    return hash;
  };
  const submit = db.transaction((planId: string, digest: string, document: string) => {
    insertPlan.run(planId, digest, 'awaiting_approval');
    insertPayload.run(digest, document);
    return event(planId, 1, 'plan.received', GENESIS_HASH, { state: 'awaiting_approval' });
  });
  const approve = db.transaction((planId: string, prev: string) => {
    insertApproval.run(`${planId}.jti`, planId);
    setState.run('approved', planId);
    insertOutbox.run(`${planId}.0`, planId, 'pending');
    return event(planId, 2, 'approval.accepted', prev, { state: 'approved' });
  });
  const dispatch = db.transaction((planId: string, prev: string) => {
    setOutbox.run('succeeded', `${planId}.0`);
    setState.run('dispatched', planId);
    return event(planId, 3, 'dispatch.succeeded', prev, { state: 'dispatched' });
  });
  const timed = timePlans(options.plans, 7, (input) => {
    const parsed = HandoffPlanSchema.safeParse(input.plan);
    if (!parsed.success) throw new Error('the floor plan is invalid');
    const digest = planDigest(parsed.data);
    const { planId } = parsed.data;
    const received = submit(planId, digest, JSON.stringify(input.plan));
    if (!input.verify()) throw new Error('bad signature');
    dispatch(planId, approve(planId, received));
  });
  db.close();
  removeDatabase(path);
  return { plans: options.plans, rowsPerPlan: 3, ...timed };
}
