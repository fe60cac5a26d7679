import { join } from 'node:path';
import { documentDigest, type OutcomeReport } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import type { GatewayErrorCode } from '../../src/errors.js';
import { tamperableCopy } from '../audit/tamper.js';
import { approvedPlan } from '../dispatch/dispatch-support.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { count, expectGatewayError, planVariant } from '../pipeline/helpers.js';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { outcomeReport } from './outcome-support.js';

let h: Harness;
afterEach(async () => h?.close());

const DAY = 86_400_000;

/** A harness whose hubspot platform accepts everything, with the fixture plan approved and dispatched. */
async function dispatched(): Promise<{ planId: string }> {
  h = await createHarness({ adapters: [scriptedAdapter('hubspot').adapter] });
  const view = await approvedPlan(h);
  await h.runtime.dispatcher.runDue();
  expect((await h.gateway.getPlan(h.callers.auditor.principal, view.planId)).state).toBe(
    'dispatched',
  );
  return view;
}

/** Reports as the analytics job. */
function report(change: Partial<OutcomeReport> = {}) {
  return h.gateway.reportOutcome(h.callers.reporter.principal, outcomeReport(change));
}

/** A refusal with `code` that wrote nothing: same lineage length, no stored report. */
async function refusedWithNothingWritten(change: Partial<OutcomeReport>, code: GatewayErrorCode) {
  const events = count(h, 'lineage_events');
  const payloads = count(h, 'payloads', "kind = 'OutcomeReport'");
  const error = await expectGatewayError(report(change), code);
  expect(count(h, 'lineage_events')).toBe(events);
  expect(count(h, 'payloads', "kind = 'OutcomeReport'")).toBe(payloads);
  return error;
}

describe('outcomes.report records a final outcome of a dispatched plan', () => {
  test('after the horizon: stored by digest, an outcome.reported event by the reporter, verifiable', async () => {
    const { planId } = await dispatched();
    h.clock.advance(31 * DAY);
    const recorded = await report({ observedAt: '2026-12-22T09:30:00Z' });
    expect(recorded).toMatchObject({
      planId,
      created: true,
      interim: false,
      optionId: 'call-prior-successes',
      forecast: { kpi: 'conversion_rate', unit: 'ratio', p10: 0.55, p50: 0.64, p90: 0.72 },
      observed: 0.6,
      position: 'inside',
      dispatchedAt: '2026-11-21T09:30:00.000Z',
      horizonEndsAt: '2026-12-21T09:30:00.000Z',
    });
    expect(recorded.digest).toBe(
      documentDigest(outcomeReport({ observedAt: '2026-12-22T09:30:00Z' })),
    );
    const page = await h.gateway.queryLineage(h.callers.auditor.principal, {
      planId,
      types: ['outcome.reported'],
      limit: 10,
    });
    expect(page.items).toHaveLength(1);
    const [event] = page.items;
    expect(event?.actor).toEqual({ type: 'reporter', id: 'analytics-job' });
    expect(event?.refs.outcome).toBe(recorded.digest);
    expect(event?.data).toMatchObject({ reportId: 'conversions-final', position: 'inside' });

    // The same report again is the first recording; another under its id is a conflict.
    expect(await report({ observedAt: '2026-12-22T09:30:00Z' })).toMatchObject({
      created: false,
      digest: recorded.digest,
    });
    await refusedWithNothingWritten(
      { observedAt: '2026-12-23T00:00:00Z' },
      'OUTCOME_REPORT_CONFLICT',
    );

    // The verifier re-hashes the stored report: intact it verifies, altered it names the document.
    await h.close();
    const databasePath = join(h.dir, 'gateway.db');
    const intact = await openDatabaseSource(databasePath);
    expect((await verifyLineage(intact, { trust: 'unanchored' })).ok).toBe(true);
    intact.close();
    const { path, db } = tamperableCopy(databasePath);
    db.prepare(
      "UPDATE payloads SET body = replace(body, '0.6', '0.9') WHERE kind = 'OutcomeReport'",
    ).run();
    db.close();
    const altered = await openDatabaseSource(path);
    const verdict = await verifyLineage(altered, { trust: 'unanchored' });
    altered.close();
    expect(verdict.ok ? undefined : verdict.failure).toMatchObject({
      code: 'DOCUMENT_DIGEST_MISMATCH',
      kind: 'OutcomeReport',
      digest: recorded.digest,
    });
  });

  test('an operator may report an action of the plan; the lineage actor is the operator', async () => {
    const { planId } = await dispatched();
    const recorded = await h.gateway.reportOutcome(
      h.callers.operator.principal,
      outcomeReport({
        actionId: 'enroll-call-list',
        interim: true,
        observedAt: '2026-11-22T00:00:00Z',
      }),
    );
    expect(recorded).toMatchObject({ actionId: 'enroll-call-list', interim: true, created: true });
    const event = await h.runtime.store.transaction((tx) =>
      tx.lastPlanEvent(h.callers.operator.principal.tenantId, planId, 'outcome.reported'),
    );
    expect(event?.actor).toEqual({ type: 'operator', id: 'operator-1' });
  });
});

describe('outcomes.report refuses, and a refusal changes nothing', () => {
  test('a plan never dispatched (awaiting approval) is OUTCOME_NOT_DISPATCHED', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    h.clock.advance(31 * DAY);
    await refusedWithNothingWritten({}, 'OUTCOME_NOT_DISPATCHED');
  });

  test('an approved plan whose dispatch has not run yet is OUTCOME_NOT_DISPATCHED', async () => {
    h = await createHarness({ adapters: [scriptedAdapter('hubspot').adapter] });
    await approvedPlan(h);
    await refusedWithNothingWritten(
      { interim: true, observedAt: '2026-11-21T09:30:00Z' },
      'OUTCOME_NOT_DISPATCHED',
    );
  });

  test('an unknown plan, or an action the plan does not have, is NOT_FOUND', async () => {
    await dispatched();
    await refusedWithNothingWritten({ planId: planVariant(77).planId }, 'NOT_FOUND');
    const error = await refusedWithNothingWritten({ actionId: 'no-such-action' }, 'NOT_FOUND');
    expect(error.issues[0]?.path).toBe('/actionId');
  });

  test('a KPI or a unit the forecast did not name is OUTCOME_KPI_MISMATCH', async () => {
    await dispatched();
    h.clock.advance(31 * DAY);
    const kpi = await refusedWithNothingWritten(
      { observed: { unit: 'ratio', kpi: 'open_rate', value: 0.3 } },
      'OUTCOME_KPI_MISMATCH',
    );
    expect(kpi.issues[0]?.path).toBe('/observed/kpi');
    const unit = await refusedWithNothingWritten(
      { observed: { unit: 'count', kpi: 'conversions', value: 120 } },
      'OUTCOME_KPI_MISMATCH',
    );
    expect(unit.issues[0]?.path).toBe('/observed/unit');
  });

  test('a final report before the horizon is over is OUTCOME_HORIZON_NOT_OVER; interim is accepted', async () => {
    await dispatched();
    h.clock.advance(10 * DAY);
    const early = await refusedWithNothingWritten(
      { observedAt: '2026-12-01T09:30:00Z' },
      'OUTCOME_HORIZON_NOT_OVER',
    );
    expect(early.details).toEqual({ horizonEndsAt: '2026-12-21T09:30:00.000Z' });
    // observedAt past the horizon end is not enough while the gateway's own clock is before it.
    await refusedWithNothingWritten(
      { observedAt: '2026-12-22T00:00:00Z' },
      'OUTCOME_HORIZON_NOT_OVER',
    );
    // An interim observation before the dispatch is no observation of it.
    await refusedWithNothingWritten(
      { interim: true, observedAt: '2026-11-20T00:00:00Z' },
      'VALIDATION_FAILED',
    );
    const interim = await report({ interim: true, observedAt: '2026-12-01T09:30:00Z' });
    expect(interim).toMatchObject({ interim: true, created: true, position: 'inside' });
  });

  test('a malformed report, another tenant and a copilot key are refused', async () => {
    await dispatched();
    h.clock.advance(31 * DAY);
    const bad = await refusedWithNothingWritten(
      { source: { uri: 'https://x.example/a.csv' } as OutcomeReport['source'] },
      'VALIDATION_FAILED',
    );
    expect(bad.issues.map((i) => i.path)).toEqual(['/source/sha256']);
    await refusedWithNothingWritten({ tenantId: 'globex' }, 'FORBIDDEN');
    await expectGatewayError(
      h.gateway.reportOutcome(h.callers.copilot.principal, outcomeReport()),
      'FORBIDDEN',
    );
  });
});
