import { ERROR_CODES } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { procedureLabel } from '../../src/api/metrics-route.js';
import { refused, scriptedAdapter, unavailable } from '../dispatch/scripted-adapter.js';
import { autoApprovablePlan, planVariant } from '../pipeline/helpers.js';
import { TENANT } from '../support/harness.js';
import { type HttpGateway, httpClient, refusal, startHttpGateway } from './http-fixture.js';
import { metricTypes, type Sample, sampleValue, scrape, sumOf } from './metrics-exposition.js';

let gw: HttpGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/**
 * A scripted run over HTTP: an auto-approved plan to customerio whose first attempt fails (503) and is retried,
 * a plan refused by policy, a plan that waits 120 s for its two approvals (one token replayed on the way) and goes
 * to hubspot, which refuses it (a dead letter), then a kill switch on the braze adapter.
 */
async function scriptedRun(g: HttpGateway) {
  const { copilot, approver, operator } = g.callers.acme;
  const asCopilot = httpClient(g.url, copilot.apiKey);
  const asApprover = httpClient(g.url, approver.apiKey);
  const auto = autoApprovablePlan(1);
  expect(await asCopilot.plans.submit.mutate({ plan: auto })).toMatchObject({ state: 'approved' });
  await g.runtime.dispatcher.runDue();
  g.clock.advance(60_000);
  await g.runtime.dispatcher.runDue();

  const denied = planVariant(2, (p) => {
    p.workflow.aiMode = 'ai_led';
    for (const o of p.options) o.contentKind = 'case_study';
  });
  const deniedView = await asCopilot.plans.submit.mutate({ plan: denied });
  expect(deniedView).toMatchObject({ state: 'rejected', reasonCode: 'POLICY_DENIED' });

  const gated = planVariant(3);
  const view = await asCopilot.plans.submit.mutate({ plan: gated });
  expect(view.state).toBe('awaiting_approval');
  g.clock.advance(120_000);
  const finance = await g.sign(view, {
    key: g.keys.finance,
    sub: 'fiona.finance',
    role: 'finance',
  });
  await asApprover.approvals.submit.mutate({ token: finance });
  const replay = await refusal(asApprover.approvals.submit.mutate({ token: finance }));
  expect(replay.code).toBe('APPROVAL_REPLAYED');
  const marketing = await g.sign(view, {
    key: g.keys.marketing,
    sub: 'mark.lead',
    role: 'marketing_lead',
  });
  expect(await asApprover.approvals.submit.mutate({ token: marketing })).toMatchObject({
    state: 'approved',
  });
  await g.runtime.dispatcher.runDue();

  await httpClient(g.url, operator.apiKey).control.pause.mutate({
    scopeType: 'adapter',
    scopeValue: 'braze',
    reason: 'metrics check',
  });
  return { planIds: [auto.planId, denied.planId, gated.planId], tokens: [finance, marketing] };
}

async function startScripted() {
  const customerio = scriptedAdapter('customerio', { steps: [unavailable()] });
  const hubspot = scriptedAdapter('hubspot', { steps: [refused()] });
  gw = await startHttpGateway({ adapters: [customerio.adapter, hubspot.adapter] });
  return { g: gw, customerio, hubspot, run: await scriptedRun(gw) };
}

const labelsOf = (samples: readonly Sample[], name: string) =>
  samples.filter((s) => s.name === name).map((s) => s.labels);

describe('/metrics after a scripted run', () => {
  test('counters, histograms and stored-state gauges match what happened', async () => {
    const { g, customerio, hubspot, run } = await startScripted();
    expect(customerio.calls.length).toBe(2);
    expect(hubspot.calls.length).toBe(1);
    const { samples } = await scrape(g.url);
    const submitted = 'handoff_plans_submitted_total';
    expect(sumOf(samples, submitted)).toBe(3);
    expect(
      sampleValue(samples, submitted, { tenant: TENANT, state: 'approved', reason: 'none' }),
    ).toBe(1);
    expect(
      sampleValue(samples, submitted, {
        tenant: TENANT,
        state: 'rejected',
        reason: 'POLICY_DENIED',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, submitted, {
        tenant: TENANT,
        state: 'awaiting_approval',
        reason: 'none',
      }),
    ).toBe(1);

    // One decision per rule of each plan's option: every rule three times, and the two that decided.
    const decisions = 'handoff_policy_decisions_total';
    const rules = new Set(labelsOf(samples, decisions).map((l) => l.rule));
    expect(rules.size).toBe(g.runtime.loaded.policySet.rules.length);
    for (const rule of rules) expect(sumOf(samples, decisions, { rule: rule ?? '' })).toBe(3);
    expect(sumOf(samples, decisions, { rule: 'no-ai-led-claims', decision: 'deny' })).toBe(1);
    // Plans 2 and 3 run option 1 (EUR 645.00): the spend rule asks for approval on both (plan 2 is denied anyway).
    expect(
      sumOf(samples, decisions, { rule: 'spend-risk-approval', decision: 'require_approval' }),
    ).toBe(2);

    expect(
      sampleValue(samples, 'handoff_approvals_total', { result: 'accepted', code: 'OK' }),
    ).toBe(2);
    expect(
      sampleValue(samples, 'handoff_approvals_total', {
        result: 'refused',
        code: 'APPROVAL_REPLAYED',
      }),
    ).toBe(1);
    const wait = { decision: 'approved' };
    expect(sampleValue(samples, 'handoff_approval_wait_seconds_count', wait)).toBe(1);
    expect(sampleValue(samples, 'handoff_approval_wait_seconds_sum', wait)).toBe(120);
    expect(
      sampleValue(samples, 'handoff_approval_wait_seconds_bucket', { ...wait, le: '60' }),
    ).toBe(0);
    expect(
      sampleValue(samples, 'handoff_approval_wait_seconds_bucket', { ...wait, le: '300' }),
    ).toBe(1);

    const attempts = 'handoff_dispatch_attempts_total';
    expect(sumOf(samples, attempts)).toBe(3);
    const retried = { adapter: 'customerio', code: 'PLATFORM_UNAVAILABLE' };
    expect(sampleValue(samples, attempts, { ...retried, outcome: 'retry_scheduled' })).toBe(1);
    expect(
      sampleValue(samples, attempts, { adapter: 'customerio', outcome: 'succeeded', code: 'OK' }),
    ).toBe(1);
    const dead = { adapter: 'hubspot', code: 'INVALID_REQUEST' };
    expect(sampleValue(samples, attempts, { ...dead, outcome: 'dead' })).toBe(1);
    expect(sumOf(samples, 'handoff_dispatch_duration_seconds_count')).toBe(3);
    expect(sampleValue(samples, 'handoff_dispatch_retries_total', retried)).toBe(1);
    expect(sumOf(samples, 'handoff_dispatch_retries_total')).toBe(1);
    expect(sampleValue(samples, 'handoff_dispatch_dead_letters_total', dead)).toBe(1);
    expect(sumOf(samples, 'handoff_dispatch_dead_letters_total')).toBe(1);

    // Stored state, read at scrape time: each plan's state as the API reports it.
    const operator = g.callers.acme.operator.principal;
    const states = await Promise.all(
      run.planIds.map(async (id) => (await g.gateway.getPlan(operator, id)).state),
    );
    expect(states.slice(0, 2)).toEqual(['dispatched', 'rejected']);
    expect(sumOf(samples, 'handoff_plans')).toBe(3);
    for (const state of new Set(states)) {
      const expected = states.filter((s) => s === state).length;
      expect(sampleValue(samples, 'handoff_plans', { tenant: TENANT, state })).toBe(expected);
    }
    expect(sampleValue(samples, 'handoff_outbox_rows', { status: 'succeeded' })).toBe(1);
    expect(sampleValue(samples, 'handoff_outbox_rows', { status: 'dead' })).toBe(1);
    expect(sumOf(samples, 'handoff_outbox_rows')).toBe(2);
    expect(sampleValue(samples, 'handoff_outbox_oldest_age_seconds')).toBe(0);

    // Caps: tenant EUR 1,000.00 holds plan 1 committed (185.25) and plan 3 reserved (645.00, its row is dead).
    const tenantCap = { tenant: TENANT, cap: 'tenant-month', period: 'month', currency: 'EUR' };
    expect(sampleValue(samples, 'handoff_budget_limit_amount', tenantCap)).toBe(1000);
    expect(sampleValue(samples, 'handoff_budget_committed_amount', tenantCap)).toBe(185.25);
    expect(sampleValue(samples, 'handoff_budget_reserved_amount', tenantCap)).toBe(645);
    const hubspotCap = { ...tenantCap, cap: 'hubspot-month' };
    expect(sampleValue(samples, 'handoff_budget_limit_amount', hubspotCap)).toBe(700);
    expect(sampleValue(samples, 'handoff_budget_reserved_amount', hubspotCap)).toBe(645);
    expect(sampleValue(samples, 'handoff_budget_committed_amount', hubspotCap)).toBe(0);

    const paused = { tenant: TENANT, scope_type: 'adapter' };
    expect(sampleValue(samples, 'handoff_kill_switches_active', paused)).toBe(1);
    expect(sumOf(samples, 'handoff_kill_switches_active')).toBe(1);

    const requests = 'handoff_http_request_duration_seconds_count';
    expect(sampleValue(samples, requests, { procedure: 'plans.submit', code: '200' })).toBe(3);
    expect(sampleValue(samples, requests, { procedure: 'approvals.submit', code: '200' })).toBe(2);
    const replayStatus = String(ERROR_CODES.APPROVAL_REPLAYED.http);
    expect(
      sampleValue(samples, requests, { procedure: 'approvals.submit', code: replayStatus }),
    ).toBe(1);
    expect(sampleValue(samples, requests, { procedure: 'control.pause', code: '200' })).toBe(1);

    // Gauges are read again at each scrape: the resumed scope is gone.
    await g.gateway.resume(operator, { scopeType: 'adapter', scopeValue: 'braze' });
    const again = (await scrape(g.url)).samples;
    expect(labelsOf(again, 'handoff_kill_switches_active')).toEqual([]);
  });

  test('names follow Prometheus conventions and no label carries a plan id, key, token or idempotency key', async () => {
    const { g, run } = await startScripted();
    const { text, samples } = await scrape(g.url);
    // This process already ran a gateway (the test above): a registry per runtime counts this run alone.
    expect(sumOf(samples, 'handoff_plans_submitted_total')).toBe(3);
    const types = metricTypes(text);
    expect(types.size).toBeGreaterThan(10);
    for (const [name, type] of types) {
      expect(name).toMatch(/^handoff_[a-z_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
      if (type === 'gauge') expect(name).not.toMatch(/_total$/);
    }
    const rows = await g.gateway.listDispatches(g.callers.acme.operator.principal, {
      statuses: ['succeeded', 'dead'],
    });
    const callers = [...Object.values(g.callers.acme), ...Object.values(g.callers.globex)];
    const secrets = [
      ...run.planIds,
      ...run.tokens,
      ...rows.map((r) => r.idempotencyKey),
      ...callers.map((c) => c.apiKey),
    ];
    expect(rows.length).toBe(2);
    const values = samples.flatMap((s) => Object.values(s.labels));
    expect(values.length).toBeGreaterThan(50);
    for (const secret of secrets) {
      expect(
        values.filter((v) => v.includes(secret) || (secret.includes(v) && v.length > 12)),
      ).toEqual([]);
      expect(text.includes(secret)).toBe(false);
    }
  });

  test('observability.metrics.enabled false serves no /metrics', async () => {
    gw = await startHttpGateway({ observability: { metrics: { enabled: false } } });
    const response = await fetch(`${gw.url}/metrics`);
    expect(response.status).toBe(404);
    expect(gw.gateway.deps.metrics).toBeUndefined();
  });

  test('only GET and HEAD scrape; a request path becomes a known procedure name or a fixed word', async () => {
    gw = await startHttpGateway();
    expect((await fetch(`${gw.url}/metrics`, { method: 'POST' })).status).toBe(405);
    const head = await fetch(`${gw.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(procedureLabel('/plans.get?input=%7B%7D')).toBe('plans.get');
    expect(procedureLabel('/plans.get,plans.list?batch=1')).toBe('batch');
    expect(procedureLabel('/019a8f2e-5c4b-7d3e-9a1f-000000000001')).toBe('other');
    expect(procedureLabel(undefined)).toBe('other');
  });
});
