import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { DRIZZLE, databaseAt, insertFormat1, removeDatabases } from './migration-support.js';

afterEach(removeDatabases);

describe('committed migrations', () => {
  test('0001 moves a plan evaluation out of the plans row to its payload digest, keeping every plan', async () => {
    const path = databaseAt(0);
    const old = new Database(path);
    const evaluation = '{"options":{"opt-1":{"outcome":"allow"}}}';
    const digest = `sha256:${'a'.repeat(64)}`;
    old
      .prepare('INSERT INTO payloads (digest, kind, body, created_at) VALUES (?, ?, ?, 0)')
      .run(digest, 'PolicyEvaluation', evaluation);
    const insertPlan = old.prepare(
      `INSERT INTO plans (plan_id, tenant_id, workflow_id, copilot_model, digest, state, recommended_option_id,
        submitted_by, policy_version, evaluation, received_at, updated_at, approval_deadline, expires_at)
       VALUES (?, 't', 'w', 'm', 'sha256:p', 'awaiting_approval', 'opt-1', 'c', 'v', ?, 0, 0, 0, 0)`,
    );
    insertPlan.run('plan-with-payload', evaluation);
    insertPlan.run('plan-without-payload', '{"options":{}}');
    old.close();

    const store = openSqliteStore({ path });
    try {
      const rows = store.sqlite
        .prepare('SELECT plan_id AS planId, evaluation_digest AS d FROM plans ORDER BY plan_id')
        .all();
      expect(rows).toEqual([
        { planId: 'plan-with-payload', d: digest },
        // No payload to name: the digest is empty and reading the evaluation fails loudly.
        { planId: 'plan-without-payload', d: '' },
      ]);
      const columns = store.sqlite.prepare('PRAGMA table_info(plans)').all() as { name: string }[];
      expect(columns.map((c) => c.name)).not.toContain('evaluation');
    } finally {
      await store.close();
    }
  });

  test('0003 fills the committed totals of existing ledgers, per tenant, cap and period', async () => {
    const path = databaseAt(2);
    const old = new Database(path);
    const line = old.prepare(
      `INSERT INTO budget_ledger (plan_id, tenant_id, cap_id, period_key, currency, amount_minor, status,
        created_at, updated_at) VALUES (?, 't', 'cap', ?, 'EUR', ?, ?, 0, 0)`,
    );
    line.run('a', 'month:2026-11', 700, 'committed');
    line.run('b', 'month:2026-11', 300, 'committed');
    line.run('c', 'month:2026-11', 999, 'released');
    line.run('d', 'month:2026-12', 50, 'committed');
    old.close();

    const store = openSqliteStore({ path });
    try {
      const usage = store.sqlite
        .prepare(
          'SELECT period_key AS period, committed_minor AS minor FROM budget_usage ORDER BY 1',
        )
        .all();
      expect(usage).toEqual([
        { period: 'month:2026-11', minor: 1000 },
        { period: 'month:2026-12', minor: 50 },
      ]);
    } finally {
      await store.close();
    }
  });

  test('0004 indexes the approval events an older gateway wrote, and only those', async () => {
    const path = databaseAt(3);
    const old = new Database(path);
    const types = [
      'plan.received',
      'approval.accepted',
      'dispatch.queued',
      'approval.accepted',
    ] as const;
    insertFormat1(
      old,
      types.map((type) => ({
        tenantId: 't',
        planId: 'p',
        type,
        actor: { type: 'approver', id: 'a' },
        occurredAt: 0,
      })),
    );
    old.close();

    const store = openSqliteStore({ path });
    try {
      const seqs = store.sqlite
        .prepare(
          "SELECT seq FROM lineage_events INDEXED BY lineage_approvals WHERE type = 'approval.accepted'",
        )
        .pluck()
        .all();
      expect(seqs).toEqual([2, 4]);
      const plan = store.sqlite
        .prepare(
          "EXPLAIN QUERY PLAN SELECT body FROM lineage_events e WHERE e.type = 'approval.accepted'",
        )
        .all() as { detail: string }[];
      expect(plan.map((row) => row.detail).join(' ')).toContain('lineage_approvals');
    } finally {
      await store.close();
    }
  });
  test("0005 keeps recorded approver keys under each tenant that used them, and every key under tenant ''", () => {
    const path = databaseAt(4);
    const old = new Database(path);
    const plan = old.prepare(
      `INSERT INTO plans (plan_id, tenant_id, workflow_id, copilot_model, digest, state, recommended_option_id,
        submitted_by, policy_version, evaluation_digest, received_at, updated_at, approval_deadline, expires_at)
       VALUES (?, ?, 'w', 'm', 'sha256:p', 'approved', 'opt-1', 'c', 'v', 'sha256:e', 1, 2, 3, 4)`,
    );
    plan.run('plan-a', 'acme');
    plan.run('plan-g', 'globex');
    const approval = old.prepare(
      `INSERT INTO approvals (jti, plan_id, option_id, approver, role, decision, kid, token_digest,
        max_spend_minor, currency, received_at) VALUES (?, ?, 'opt-1', ?, 'finance', 'approve', ?, ?, 1, 'EUR', 5)`,
    );
    approval.run('jti-a', 'plan-a', 'fiona', 'k-shared', 'sha256:t1');
    approval.run('jti-a2', 'plan-a', 'fred', 'k-shared', 'sha256:t3');
    approval.run('jti-g', 'plan-g', 'fiona', 'k-shared', 'sha256:t2');
    const key = old.prepare(
      'INSERT INTO keys (purpose, kid, jwk, first_seen_at) VALUES (?, ?, ?, 7)',
    );
    key.run('approver', 'k-shared', '{"kty":"OKP"}');
    key.run('approver', 'k-unused', '{"kty":"EC"}');
    key.run('checkpoint', 'k-shared', '{"kty":"OKP","cp":1}');
    old.close();

    const migrated = new Database(path);
    migrate(drizzle(migrated), { migrationsFolder: fileURLToPath(DRIZZLE) });
    const rows = migrated
      .prepare(
        'SELECT purpose, tenant_id AS tenantId, kid, jwk FROM keys ORDER BY purpose, tenant_id, kid',
      )
      .all();
    migrated.close();
    expect(rows).toEqual([
      { purpose: 'approver', tenantId: '', kid: 'k-shared', jwk: '{"kty":"OKP"}' },
      { purpose: 'approver', tenantId: '', kid: 'k-unused', jwk: '{"kty":"EC"}' },
      { purpose: 'approver', tenantId: 'acme', kid: 'k-shared', jwk: '{"kty":"OKP"}' },
      { purpose: 'approver', tenantId: 'globex', kid: 'k-shared', jwk: '{"kty":"OKP"}' },
      { purpose: 'checkpoint', tenantId: '', kid: 'k-shared', jwk: '{"kty":"OKP","cp":1}' },
    ]);
  });

  test('0006 scopes plan ids per tenant: existing plans and approvals keep theirs, a second tenant may reuse the id', async () => {
    const path = databaseAt(4);
    const old = new Database(path);
    old
      .prepare(
        `INSERT INTO plans (plan_id, tenant_id, workflow_id, copilot_model, digest, state, recommended_option_id,
          submitted_by, policy_version, evaluation_digest, received_at, updated_at, approval_deadline, expires_at)
         VALUES ('plan-1', 'acme', 'w', 'm', 'sha256:p', 'awaiting_approval', 'opt-1', 'c', 'v', 'sha256:e',
          1, 2, 3, 4)`,
      )
      .run();
    const approval = old.prepare(
      `INSERT INTO approvals (jti, plan_id, option_id, approver, role, decision, kid, token_digest,
        max_spend_minor, currency, received_at) VALUES (?, ?, 'opt-1', ?, 'finance', 'approve', 'k', ?, 1, 'EUR', 5)`,
    );
    approval.run('jti-1', 'plan-1', 'fiona', 'sha256:t1');
    approval.run('jti-orphan', 'plan-gone', 'fiona', 'sha256:t2');
    old.close();

    const store = openSqliteStore({ path });
    try {
      const kept = await store.transaction((tx) => tx.getPlan('acme', 'plan-1'));
      expect(kept).toMatchObject({
        planId: 'plan-1',
        tenantId: 'acme',
        state: 'awaiting_approval',
      });
      expect(await store.transaction((tx) => tx.getPlan('globex', 'plan-1'))).toBeUndefined();
      expect(
        (await store.transaction((tx) => tx.approvalsForPlan('acme', 'plan-1'))).map((a) => a.jti),
      ).toEqual(['jti-1']);
      const tenants = store.sqlite
        .prepare('SELECT jti, tenant_id AS tenantId FROM approvals ORDER BY jti')
        .all();
      // An approval whose plan is gone has no tenant to take: it matches no plan of any tenant.
      expect(tenants).toEqual([
        { jti: 'jti-1', tenantId: 'acme' },
        { jti: 'jti-orphan', tenantId: '' },
      ]);
      if (!kept) throw new Error('unreachable');
      await store.transaction((tx) =>
        tx.insertPlan({ ...kept, tenantId: 'globex', state: 'received' }),
      );
      expect(await store.transaction((tx) => tx.getPlan('globex', 'plan-1'))).toMatchObject({
        tenantId: 'globex',
        state: 'received',
      });
      expect(await store.transaction((tx) => tx.getPlan('acme', 'plan-1'))).toEqual(kept);
      await expect(
        store.transaction((tx) => tx.insertPlan({ ...kept, state: 'received' })),
      ).rejects.toThrow(/UNIQUE constraint failed: plans.tenant_id, plans.plan_id/);
    } finally {
      await store.close();
    }
  });
});
