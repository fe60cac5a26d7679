import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { rawCall } from '../http/http-fixture.js';
import { describePostgres, postgresUrlForTest } from '../support/postgres.js';
import { killLiveChildren } from './chaos-process.js';
import { ACTION_COST, ACTIONS_PER_PLAN, chaosPlan } from './chaos-support.js';
import { queryRows, replicaSet } from './replica-support.js';
import { tally } from './tally.js';

/**
 * Issue 15: "1,000 concurrent submissions against one cap from several OS processes (overspend 0)". Three gateway
 * processes on one PostgreSQL database; 1,000 plans of EUR 600.00 each (awaiting a finance approval, so each holds
 * its reservation) are submitted at once, spread over the three, against a cap that holds exactly 300 of them.
 * Each replica reserves with one conditional update per cap and period, so whatever the interleaving: exactly 300
 * plans hold a reservation, 700 are refused `BUDGET_EXCEEDED`, and the cap's usage is exactly its limit.
 */

const PLANS = Number(process.env.RELIABILITY_REPLICA_PLANS ?? 1_000);
const PLAN_COST = ACTIONS_PER_PLAN * ACTION_COST;
const FITS = Math.floor(PLANS * 0.3);
const CAP = FITS * PLAN_COST;
/** Requests in flight at once, over all replicas: 10 per replica (each replica's pool is the default 10). */
const IN_FLIGHT = Number(process.env.RELIABILITY_REPLICA_IN_FLIGHT ?? 30);

const root = mkdtempSync(join(tmpdir(), 'handoff-replicas-budget-'));
afterAll(() => {
  killLiveChildren();
  rmSync(root, { recursive: true, force: true });
});

describePostgres('replicas: one cap, three gateway processes', () => {
  test(`${PLANS} concurrent submissions over 3 replicas: the cap holds exactly, overspend 0`, async ({
    task,
  }) => {
    const t = tally(task, 'replicas: budget');
    const databaseUrl = await postgresUrlForTest();
    const set = replicaSet({
      root,
      count: 3,
      databaseUrl,
      finance: await generateSigningKeyPair({ alg: 'EdDSA' }),
      checkpointKey: await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-replicas' }),
      env: {
        WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
        FAKE_URL: 'http://127.0.0.1:9',
      },
      config: { capMinor: CAP },
    });
    // One replica first (it applies the migrations), then the others.
    await set.start(0);
    await Promise.all([set.start(1), set.start(2)]);
    const urls = set.live().map((r) => r.child?.url ?? '');

    const states: { state: string; reasonCode: string | null }[] = [];
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < PLANS; n = next++) {
        t.tried();
        const answer = await rawCall(urls[n % urls.length] ?? '', 'plans.submit', {
          type: 'mutation',
          input: { plan: chaosPlan(n + 1) },
          credential: set.keys.copilot,
        });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        const view = (answer.body as { result: { data: PlanView } }).result.data;
        states.push({ state: view.state, reasonCode: view.reasonCode ?? null });
        t.held();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(await set.stopAll()).toEqual([0, 0, 0]);

    const held = states.filter((s) => s.state === 'awaiting_approval').length;
    const refused = states.filter(
      (s) => s.state === 'rejected' && s.reasonCode === 'BUDGET_EXCEEDED',
    ).length;
    expect([held, refused]).toEqual([FITS, PLANS - FITS]);

    const usage = await queryRows<{ reserved: string; committed: string }>(
      databaseUrl,
      "select reserved_minor as reserved, committed_minor as committed from budget_usage where cap_id = 'tenant-month'",
    );
    const ledger = await queryRows<{ total: string }>(
      databaseUrl,
      "select coalesce(sum(amount_minor), 0) as total from budget_ledger where status = 'reserved'",
    );
    const byState = await queryRows<{ state: string; n: string }>(
      databaseUrl,
      'select state, count(*) as n from plans group by state order by state',
    );
    t.lost(Math.max(0, Number(usage[0]?.reserved ?? 0) - CAP));
    expect(usage.map((u) => [Number(u.reserved), Number(u.committed)])).toEqual([[CAP, 0]]);
    expect(Number(ledger[0]?.total)).toBe(CAP);
    expect(byState.map((r) => [r.state, Number(r.n)])).toEqual([
      ['awaiting_approval', FITS],
      ['rejected', PLANS - FITS],
    ]);
  }, 240_000);
});
