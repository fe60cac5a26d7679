import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, test } from 'vitest';
import { startHttpServer } from '../../src/api/http-server.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { CALIBRATION_CSV_COLUMNS } from '../../src/outcomes/calibration-csv.js';
import { runCli } from '../cli/cli-support.js';
import { expectGatewayError } from '../pipeline/helpers.js';
import type { Harness } from '../support/harness.js';
import { DAY, dispatchedPlan, outcomesHarness, reportRate } from './calibration-support.js';

let h: Harness;
let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
  await h?.close();
});

/**
 * Three dispatched plans, forecast conversion_rate p10 0.55 / p50 0.64 / p90 0.72 (the fixture's option):
 * P1 and P2 by the copilot on prompt term-deposit-v3 in workflow term-deposit-q4, P3 by prompt term-deposit-v4 in
 * workflow term-deposit-q1. Final outcomes: P1 0.50 then 0.60 (the later one counts), P2 0.80, P3 0.50; an interim
 * report on P1 and an action-level final report on P3 never count.
 */
async function threePlansWithOutcomes() {
  h = await outcomesHarness();
  const p1 = await dispatchedPlan(h, 1);
  const p2 = await dispatchedPlan(h, 2);
  const p3 = await dispatchedPlan(h, 3, (plan) => {
    plan.copilot.promptVersion = 'term-deposit-v4';
    plan.workflow.workflowId = 'term-deposit-q1';
  });
  await reportRate(h, p1.planId, 0.1, { interim: true });
  h.clock.advance(31 * DAY);
  await reportRate(h, p1.planId, 0.5);
  await reportRate(h, p2.planId, 0.8);
  await reportRate(h, p3.planId, 0.5);
  await reportRate(h, p3.planId, 0.99, { actionId: 'enroll-call-list' });
  await reportRate(h, p1.planId, 0.6);
  return { p1: p1.planId, p2: p2.planId, p3: p3.planId };
}

describe('copilots.calibration against a hand computation', () => {
  test('per copilot and per workflow: coverage, bias, relative bias, pinball loss and the plans behind them', async () => {
    const { p1, p2, p3 } = await threePlansWithOutcomes();
    const report = await h.gateway.calibration(h.callers.auditor.principal);
    const copilot = {
      vendor: 'Example Copilot Co',
      model: 'example-planner',
      modelVersion: '2026-10-01',
    };
    const [v3, v4] = report.copilots;
    expect(report.copilots).toHaveLength(2);
    // v3: P1 0.60 inside, P2 0.80 above. Bias ((0.60-0.64) + (0.80-0.64)) / 2 = 0.06; relative 0.12 / 1.28.
    // Pinball P1: (0.1*0.05 + 0.5*0.04 + 0.1*0.12) / 3 = 0.037/3; P2: (0.1*0.25 + 0.5*0.16 + 0.9*0.08) / 3 = 0.177/3.
    expect(v3).toMatchObject({
      copilot: { ...copilot, promptVersion: 'term-deposit-v3' },
      kpi: 'conversion_rate',
      unit: 'ratio',
      outcomes: 2,
      inside: { count: 1, share: 0.5, planIds: [p1] },
      below: { count: 0, share: 0, planIds: [] },
      above: { count: 1, share: 0.5, planIds: [p2] },
      planIds: [p1, p2],
    });
    expect(v3?.p50Bias).toBeCloseTo(0.06, 12);
    expect(v3?.p50RelativeBias).toBeCloseTo(0.09375, 12);
    expect(v3?.pinballLoss).toBeCloseTo(0.214 / 6, 12);
    // v4: P3 0.50 below p10. Bias -0.14, relative -0.14 / 0.64; pinball (0.9*0.05 + 0.5*0.14 + 0.1*0.22) / 3.
    expect(v4).toMatchObject({
      copilot: { ...copilot, promptVersion: 'term-deposit-v4' },
      outcomes: 1,
      below: { count: 1, share: 1, planIds: [p3] },
    });
    expect(v4?.p50Bias).toBeCloseTo(-0.14, 12);
    expect(v4?.p50RelativeBias).toBeCloseTo(-0.21875, 12);
    expect(v4?.pinballLoss).toBeCloseTo(0.137 / 3, 12);

    expect(report.workflows.map((w) => [w.workflowId, w.outcomes, w.planIds])).toEqual([
      ['term-deposit-q4', 2, [p1, p2]],
      ['term-deposit-q1', 1, [p3]],
    ]);
    expect(report.workflows[0]?.copilot).toBeUndefined();
  });

  test('no final outcome yet: empty rows; only operators and auditors may read it', async () => {
    h = await outcomesHarness();
    const plan = await dispatchedPlan(h, 1);
    await reportRate(h, plan.planId, 0.7, { interim: true });
    expect(await h.gateway.calibration(h.callers.operator.principal)).toMatchObject({
      copilots: [],
      workflows: [],
    });
    await expectGatewayError(h.gateway.calibration(h.callers.reporter.principal), 'FORBIDDEN');
    await expectGatewayError(h.gateway.calibration(h.callers.copilot.principal), 'FORBIDDEN');
  });
});

describe('handoff copilots calibration', () => {
  test('--format json is the API answer; --format csv has one line per row; bad format and role refused', async () => {
    const { p2 } = await threePlansWithOutcomes();
    const server = await startHttpServer({
      gateway: h.gateway,
      authenticator: h.runtime.authenticator,
    });
    closeServer = () => server.close();
    const remote = (who: 'auditor' | 'reporter') => [
      '--url',
      server.url,
      '--api-key',
      h.callers[who].apiKey,
    ];
    const json = await runCli('copilots', 'calibration', ...remote('auditor'), '--json');
    expect(json.code, json.err).toBe(EXIT.OK);
    expect(JSON.parse(json.out)).toEqual(await h.gateway.calibration(h.callers.auditor.principal));

    const csv = await runCli('copilots', 'calibration', ...remote('auditor'), '--format', 'csv');
    expect(csv.code, csv.err).toBe(EXIT.OK);
    const rows = parse(csv.out, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...CALIBRATION_CSV_COLUMNS]);
    expect(rows.map((r) => [r.scope, r.promptVersion, r.workflowId, r.outcomes])).toEqual([
      ['copilot', 'term-deposit-v3', '', '2'],
      ['copilot', 'term-deposit-v4', '', '1'],
      ['workflow', '', 'term-deposit-q4', '2'],
      ['workflow', '', 'term-deposit-q1', '1'],
    ]);
    expect(rows[0]).toMatchObject({ insideShare: '0.5', aboveShare: '0.5', abovePlanIds: p2 });

    const bad = await runCli('copilots', 'calibration', ...remote('auditor'), '--format', 'xml');
    expect(bad.code).toBe(EXIT.USAGE);
    const refused = await runCli(
      'copilots',
      'calibration',
      ...remote('reporter'),
      '--format',
      'json',
    );
    expect(refused.code).toBe(EXIT.REFUSED);
    expect(JSON.parse(refused.out || refused.err)).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });
});
