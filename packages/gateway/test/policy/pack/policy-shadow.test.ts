import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { GatewayError } from '../../../src/errors.js';
import { runCli, tempDir } from '../../cli/cli-support.js';
import { startHttpGateway } from '../../http/http-fixture.js';
import { createHarness, fixturePlan, type Harness } from '../../support/harness.js';

/** The active policy (marketing-default) plus a stricter risk ceiling for ai_assisted work. */
const STRICTER = `
id: acme-marketing-strict
version: "4"
rules:
  - id: strict-risk
    type: max_risk
    enforcement: hard_mandatory
    limits: { ai_assisted: 0.3 }
`;

/** Every row of every table of the database at `path`, hashed: equal digests mean identical content. */
function databaseDigest(path: string): { digest: string; rows: Record<string, number> } {
  const db = new Database(path, { readonly: true });
  try {
    const hash = createHash('sha256');
    const rows: Record<string, number> = {};
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all() as { name: string }[];
    for (const { name } of tables) {
      const all = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all();
      rows[name] = all.length;
      hash.update(`${name}\n${JSON.stringify(all)}\n`);
    }
    return { digest: hash.digest('hex'), rows };
  } finally {
    db.close();
  }
}

let h: Harness;
afterEach(async () => h?.close());

describe('policy shadow (replay)', () => {
  test('names every decision a stricter policy would change, rule by rule, and writes nothing', async () => {
    h = await createHarness();
    const { copilot, operator } = h.callers;
    await h.gateway.submitPlan(copilot.principal, fixturePlan());
    const second = fixturePlan();
    second.planId = '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f71';
    await h.gateway.submitPlan(copilot.principal, second);
    const path = join(h.dir, 'gateway.db');
    const before = databaseDigest(path);

    const report = await h.gateway.shadowPolicy(operator.principal, { policy: STRICTER });

    expect(databaseDigest(path)).toEqual(before);
    expect(report).toMatchObject({
      policySetId: 'acme-marketing-strict',
      plansReplayed: 2,
      optionsReplayed: 4,
      truncated: false,
    });
    // Option 1 (risk 0.35) is denied by the new ceiling in both plans; option 0 (risk 0.2) is not.
    const strict = report.rules.find((r) => r.ruleId === 'strict-risk');
    expect(strict).toMatchObject({ changed: 2, transitions: { 'absent->deny': 2 } });
    expect(strict?.examples[0]).toMatchObject({
      optionId: 'nurture-broadcast',
      candidate: { decision: 'deny', reasonCode: 'RISK_ABOVE_MAXIMUM' },
    });
    // The recorded approval threshold gated option 0; the candidate has no such rule.
    expect(report.rules.find((r) => r.ruleId === 'spend-risk-approval')?.transitions).toEqual({
      'require_approval->absent': 2,
    });
    expect(report.outcomes.changed).toBeGreaterThan(0);
  });

  test('a period selects plans by reception time; limit truncates', async () => {
    h = await createHarness();
    const { copilot, auditor } = h.callers;
    await h.gateway.submitPlan(copilot.principal, fixturePlan());
    h.clock.advance(3_600_000);
    const later = fixturePlan();
    later.planId = '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f71';
    await h.gateway.submitPlan(copilot.principal, later);
    const shadow = (input: object) =>
      h.gateway.shadowPolicy(auditor.principal, { policy: STRICTER, ...input });
    expect((await shadow({ from: '2026-11-21T10:00:00Z' })).plansReplayed).toBe(1);
    expect((await shadow({ to: '2026-11-21T10:00:00Z' })).plansReplayed).toBe(1);
    expect(await shadow({ limit: 1 })).toMatchObject({ plansReplayed: 1, truncated: true });
  });

  test('refuses a bad candidate at its path, a period that ends before it starts, and a copilot', async () => {
    h = await createHarness();
    const { operator, copilot } = h.callers;
    const refusal = async (principal = operator.principal, input: object = {}) => {
      try {
        await h.gateway.shadowPolicy(principal, { policy: STRICTER, ...input });
      } catch (error) {
        if (error instanceof GatewayError) return { code: error.code, issues: error.issues };
        throw error;
      }
      throw new Error('expected a refusal');
    };
    const bad = STRICTER.replace('max_risk', 'max_riks');
    expect(await refusal(operator.principal, { policy: bad })).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: '/policy/rules/0/type', code: 'UNKNOWN_RULE_TYPE' }],
    });
    expect(
      await refusal(operator.principal, {
        from: '2026-11-21T10:00:00Z',
        to: '2026-11-21T09:00:00Z',
      }),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: '/to', code: 'INVALID_VALUE' }],
    });
    expect((await refusal(copilot.principal)).code).toBe('FORBIDDEN');
  });
});

describe('handoff policy shadow', () => {
  test('replays over HTTP and prints the changed rules', async () => {
    const gw = await startHttpGateway();
    try {
      const { copilot, auditor } = gw.callers.acme;
      await gw.gateway.submitPlan(copilot.principal, fixturePlan());
      const file = join(tempDir(), 'strict.yaml');
      writeFileSync(file, STRICTER);
      const args = ['policy', 'shadow', '--policy', file, '--url', gw.url];
      const text = await runCli(...args, '--api-key', auditor.apiKey);
      expect(text.code).toBe(EXIT.OK);
      expect(text.out).toContain('replayed 1 plan(s)');
      expect(text.out).toContain('rule strict-risk: 1 decision(s) change (absent->deny 1)');
      const json = await runCli(...args, '--api-key', auditor.apiKey, '--json');
      expect(JSON.parse(json.out)).toMatchObject({ plansReplayed: 1 });
      const forbidden = await runCli(...args, '--api-key', copilot.apiKey);
      expect(forbidden.code).not.toBe(EXIT.OK);
      expect(forbidden.err).toContain('FORBIDDEN');
    } finally {
      await gw.close();
    }
  });
});
