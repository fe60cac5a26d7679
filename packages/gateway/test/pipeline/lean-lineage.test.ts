import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { loadPolicySet } from '../../src/policy/policy-set.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { createHarness, defaultCaps, type Harness } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { lineage, planVariant } from './helpers.js';

/*
 * Issue 14's budget for a one-approval, one-action plan: at most 5 lineage events (one per transition) and at
 * most 18 KB of database, counted two ways over PLANS plans after a first one (which stores what is stored once
 * per process: the policy set, the approver's key), divided by PLANS:
 * - the rows' stored bytes: the growth of the summed cell payload of every table and index (SQLite's `dbstat`
 *   virtual table, column `payload`: each row's record as stored, documents, lineage bodies and index keys
 *   included, page headers and free space within pages not);
 * - the file: the growth of `page_count` x `page_size` (the database's pages, those still in the WAL included),
 *   free space within pages included. With 4 KiB pages it was about 21 KB per plan: SQLite appends a row that
 *   does not fit the last page on a new page, and a plan's rows are 0.5-3 KB; the store creates 16 KiB pages.
 * Both are byte counts, the same on every run.
 */

const PLANS = 200;
const MAX_EVENTS = 5;
const MAX_BYTES_PER_PLAN = 18 * 1024;

/**
 * The marketing guardrails and ONE approval, by finance, from EUR 500.00 (the fixture's option costs 645.00): the
 * benchmark's policy (`bench/src/workload.ts` reads the same file).
 */
const ONE_APPROVAL = loadPolicySet(
  readFileSync(
    fileURLToPath(new URL('../policy/fixtures/one-approval.json', import.meta.url)),
    'utf8',
  ),
  'json',
);

/** The default caps (tenant, hubspot adapter) raised so that every plan of the run fits. */
function roomyCaps(): unknown[] {
  return (defaultCaps() as { limit: { amountMinor: number } }[]).map((cap) => ({
    ...cap,
    limit: { ...cap.limit, amountMinor: 100_000_000 },
  }));
}

let h: Harness;
afterEach(async () => h?.close());

/** Submits plan `n`, approves it once (finance) and dispatches its one action; returns its id. */
async function handOff(n: number): Promise<string> {
  const submitted = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(n));
  expect(submitted.state).toBe('awaiting_approval');
  const token = await h.sign(submitted, {
    key: h.keys.finance,
    sub: 'fiona.finance',
    role: 'finance',
  });
  const approved = await h.gateway.submitApproval(h.callers.approver.principal, token);
  expect(approved.state).toBe('approved');
  expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 1, succeeded: 1 });
  return submitted.planId;
}

/** The stored bytes of every row of every table and index (cell payloads, `dbstat`). */
function storedBytes(): number {
  const db = sqliteOf(h.runtime.store);
  return Number(db.prepare('select sum(payload) from dbstat').pluck().get());
}

/** The bytes of the database's pages (`page_count` x `page_size`), those in the WAL included. */
function fileBytes(): number {
  const db = sqliteOf(h.runtime.store);
  return (
    Number(db.pragma('page_count', { simple: true })) *
    Number(db.pragma('page_size', { simple: true }))
  );
}

describe('a one-approval, one-action plan (issue 14)', () => {
  test('writes one event per transition, at most 5', async () => {
    const hubspot = scriptedAdapter('hubspot', {});
    h = await createHarness({
      policy: ONE_APPROVAL,
      caps: roomyCaps(),
      adapters: [hubspot.adapter],
    });
    const planId = await handOff(1);
    const events = await lineage(h, { planId });
    expect(events.map((e) => e.type)).toEqual([
      'plan.received',
      'approval.accepted',
      'dispatch.attempted',
      'dispatch.succeeded',
      'plan.settled',
    ]);
    expect(events.length).toBeLessThanOrEqual(MAX_EVENTS);
    const [received, accepted, attempted, , settled] = events;
    // Each event carries what its transition decided: the state entered, and its facts.
    expect(received?.refs.policy).toBe(received && (await planPolicy(planId)));
    expect(received?.data).toMatchObject({ state: 'awaiting_approval' });
    expect(received?.data.reservations).toHaveLength(2);
    expect(accepted?.data).toMatchObject({ state: 'approved', decision: 'approve' });
    expect(accepted?.data.queued).toHaveLength(1);
    expect(attempted?.data).toMatchObject({ state: 'dispatching', attempt: 1 });
    expect(settled?.data).toMatchObject({ state: 'dispatched', succeeded: 1, abandoned: 0 });
    expect(settled?.data.committed).toHaveLength(2);
    expect(settled?.data.released).toHaveLength(2);
  });

  test('records no evaluation per plan: the policy set once, the decisions rebuilt from plan.received', async () => {
    const hubspot = scriptedAdapter('hubspot', {});
    h = await createHarness({
      policy: ONE_APPROVAL,
      caps: roomyCaps(),
      adapters: [hubspot.adapter],
    });
    const submitted = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(1));
    await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(2));
    const kinds = sqliteOf(h.runtime.store)
      .prepare("select kind, count(*) n from payloads where kind like 'Policy%' group by kind")
      .all();
    expect(kinds).toEqual([{ kind: 'PolicySet', n: 1 }]);
    // What the submission answered from memory, a later read rebuilds from the event, the plan and the policy set.
    const read = await h.gateway.getPlan(h.callers.operator.principal, submitted.planId);
    expect(read.decisions).toEqual(submitted.decisions);
    expect(read.gates).toEqual(submitted.gates);
    expect(read.outcome).toBe('require_approval');
  });

  test(`stores at most 18 KB per plan, rows and file (over ${PLANS} plans)`, async () => {
    const hubspot = scriptedAdapter('hubspot', {});
    h = await createHarness({
      policy: ONE_APPROVAL,
      caps: roomyCaps(),
      adapters: [hubspot.adapter],
    });
    await handOff(1);
    const before = { rows: storedBytes(), file: fileBytes() };
    for (let n = 2; n <= PLANS + 1; n += 1) await handOff(n);
    const rowsPerPlan = (storedBytes() - before.rows) / PLANS;
    const filePerPlan = (fileBytes() - before.file) / PLANS;
    expect(rowsPerPlan).toBeGreaterThan(0);
    expect(rowsPerPlan).toBeLessThanOrEqual(MAX_BYTES_PER_PLAN);
    expect(filePerPlan).toBeGreaterThanOrEqual(rowsPerPlan);
    expect(filePerPlan).toBeLessThanOrEqual(MAX_BYTES_PER_PLAN);
  }, 120_000);
});

async function planPolicy(planId: string): Promise<string> {
  const row = sqliteOf(h.runtime.store)
    .prepare('select policy_version from plans where plan_id = ?')
    .pluck()
    .get(planId);
  return String(row);
}
