import { createHubSpotAdapter } from '@handoff/automation-adapter';
import { createHubSpotFake, type ServedFake, serveFake } from '@handoff/automation-adapter/testing';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { fixturePlan } from '../support/harness.js';

/*
 * Issue 19: one submit-approve-dispatch trace, end to end, under the copilot's W3C traceparent. A real HTTP
 * gateway (tracing enabled, spans to an in-memory exporter) takes the plan from a copilot that sends `traceparent`,
 * two approvals from an approvals app continuing the same trace, and dispatches the enrolment to a HubSpot fake
 * served over HTTP, whose received request must carry a traceparent of the same trace.
 */

const TOKEN = 'pat-tracing-secret-token';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const COPILOT_SPAN = '00f067aa0ba902b7';
const APPROVALS_APP_SPAN = 'b7ad6b7169203331';
const traceparent = (spanId: string) => `00-${TRACE_ID}-${spanId}-01`;

let gw: HttpGateway | undefined;
let served: ServedFake | undefined;
afterEach(async () => {
  await gw?.close();
  await served?.close();
  gw = undefined;
  served = undefined;
});

/** POSTs a procedure over HTTP (with the caller's `traceparent` when given); returns its status and body. */
async function send(path: string, input: unknown, apiKey: string, parent?: string) {
  const response = await fetch(`${gw?.url}/${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      ...(parent ? { traceparent: parent } : {}),
    },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** {@link send}, expecting success: the procedure's answer. */
async function post(path: string, input: unknown, apiKey: string, parent?: string) {
  const { status, body } = await send(path, input, apiKey, parent);
  expect(status, JSON.stringify(body)).toBe(200);
  return (body as { result: { data: PlanView } }).result.data;
}

/** Starts a gateway dispatching to a served HubSpot fake; runs submit, both approvals and the dispatch. */
async function runFlow(options: { tracing: boolean; exporter: InMemorySpanExporter }) {
  const hubspot = createHubSpotFake({ accessToken: TOKEN, workflowIds: ['12345678'] });
  served = await serveFake(hubspot.handlers, hubspot.baseUrl);
  gw = await startHttpGateway({
    adapters: [createHubSpotAdapter({ accessToken: TOKEN, baseUrl: served.url })],
    spanExporter: options.exporter,
    ...(options.tracing
      ? { observability: { tracing: { enabled: true, exporter: 'none', serviceName: 'gw-test' } } }
      : {}),
  });
  const { copilot, approver } = gw.callers.acme;
  const plan = fixturePlan();
  const parent = options.tracing ? traceparent(COPILOT_SPAN) : undefined;
  const view = await post('plans.submit', { plan }, copilot.apiKey, parent);
  expect(view.state).toBe('awaiting_approval');
  const tokens = [
    await gw.sign(view, { key: gw.keys.finance, sub: 'fiona.finance', role: 'finance' }),
    await gw.sign(view, { key: gw.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
  ];
  const appParent = options.tracing ? traceparent(APPROVALS_APP_SPAN) : undefined;
  for (const token of tokens) await post('approvals.submit', { token }, approver.apiKey, appParent);
  await gw.runtime.dispatcher.runDue();
  expect(hubspot.received.length).toBeGreaterThan(0);
  return { plan, view, tokens, apiKeys: [copilot.apiKey, approver.apiKey], hubspot };
}

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing', () => {
  test('one submit-approve-dispatch trace under the copilot traceparent, no secrets in attributes', async () => {
    const exporter = new InMemorySpanExporter();
    const { plan, tokens, apiKeys, hubspot } = await runFlow({ tracing: true, exporter });
    const spans = exporter.getFinishedSpans();

    // Every span of the flow is in the copilot's trace.
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([TRACE_ID]));
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));

    const [submitRequest, ...others] = named(spans, 'POST /plans.submit');
    expect(others).toEqual([]);
    expect(parentOf(submitRequest as ReadableSpan)).toBe(COPILOT_SPAN);
    expect(submitRequest?.attributes['handoff.tenant.id']).toBe('acme-bank');
    const requestId = submitRequest?.spanContext().spanId;

    const [submit] = named(spans, 'handoff.submit');
    expect(parentOf(submit as ReadableSpan)).toBe(requestId);
    expect(submit?.attributes).toMatchObject({
      'gen_ai.operation.name': 'handoff.submit_plan',
      'handoff.plan.id': plan.planId,
      'handoff.option.id': 'call-prior-successes',
      'handoff.outcome': 'awaiting_approval',
    });
    const submitId = submit?.spanContext().spanId;
    for (const stage of ['handoff.validate', 'handoff.policy', 'handoff.reserve']) {
      const [span] = named(spans, stage);
      expect(span, stage).toBeDefined();
      expect(parentOf(span as ReadableSpan), stage).toBe(submitId);
    }
    const [policy] = named(spans, 'handoff.policy');
    expect(policy?.attributes).toMatchObject({
      'gen_ai.operation.name': 'apply_guardrail',
      'handoff.guardrail.decision': 'require_approval',
    });
    expect(policy?.attributes['handoff.policy.rule_ids']).toEqual(
      expect.arrayContaining([expect.any(String)]),
    );
    const [reserve] = named(spans, 'handoff.reserve');
    expect(reserve?.attributes['handoff.outcome']).toBe('reserved');
    expect(reserve?.attributes['handoff.budget.cap_ids']).toEqual(
      expect.arrayContaining([expect.any(String)]),
    );
    // Lineage appends (sequencing) inside the submission's transaction are children of its stages.
    const sequenced = named(spans, 'handoff.sequence').filter((s) => {
      let up = byId.get(parentOf(s) ?? '');
      while (up && up !== submit) up = byId.get(parentOf(up) ?? '');
      return up === submit;
    });
    expect(sequenced.length).toBeGreaterThan(0);

    const approvals = named(spans, 'POST /approvals.submit');
    expect(approvals.map(parentOf)).toEqual([APPROVALS_APP_SPAN, APPROVALS_APP_SPAN]);
    const approves = named(spans, 'handoff.approve');
    expect(approves.map((s) => s.attributes['handoff.outcome'])).toEqual([
      'awaiting_quorum',
      'approved',
    ]);
    expect(approves[1]?.attributes).toMatchObject({
      'handoff.plan.id': plan.planId,
      'handoff.decision': 'approve',
      'handoff.option.id': 'call-prior-successes',
    });
    expect(parentOf(approves[1] as ReadableSpan)).toBe(approvals[1]?.spanContext().spanId);

    // The dispatch attempt is a child of the approval that queued it; the adapter's request carried its context.
    const [dispatch, ...moreDispatches] = named(spans, 'handoff.dispatch');
    expect(moreDispatches).toEqual([]);
    expect(parentOf(dispatch as ReadableSpan)).toBe(approves[1]?.spanContext().spanId);
    expect(dispatch?.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'hubspot',
      'handoff.adapter.id': 'hubspot',
      'handoff.outcome': 'succeeded',
      'handoff.dispatch.attempt': 1,
    });
    const sent = hubspot.received.map((call) => call.headers.traceparent);
    expect(sent.length).toBeGreaterThan(0);
    for (const header of sent) {
      expect(header).toBe(`00-${TRACE_ID}-${dispatch?.spanContext().spanId}-01`);
    }

    // No attribute carries the payload, a contact, a token or a key.
    const secrets = [
      TOKEN,
      ...tokens,
      ...apiKeys,
      ...plan.inputs.map((i) => i.inputId),
      'client-0007@example.com',
      'client-0042@example.com',
      '12345678',
    ];
    for (const span of spans) {
      for (const [key, value] of Object.entries(span.attributes)) {
        const text = JSON.stringify(value);
        for (const secret of secrets) expect(text, `${span.name} ${key}`).not.toContain(secret);
        expect(text.length, `${span.name} ${key}`).toBeLessThan(500);
      }
    }
  });

  test('a refused approval (its plan already approved) ends its span in error with the refusal code, and nothing of the token', async () => {
    const exporter = new InMemorySpanExporter();
    const { tokens, apiKeys } = await runFlow({ tracing: true, exporter });
    exporter.reset();
    const replay = traceparent(APPROVALS_APP_SPAN);
    const refused = await send(
      'approvals.submit',
      { token: tokens[0] },
      apiKeys[1] as string,
      replay,
    );
    expect(refused.status).toBe(409);
    const spans = exporter.getFinishedSpans();
    const [approve] = named(spans, 'handoff.approve');
    expect(approve?.status.code).toBe(SpanStatusCode.ERROR);
    expect(approve?.attributes).toMatchObject({
      'error.type': 'PLAN_NOT_AWAITING_APPROVAL',
      'handoff.outcome': 'error',
    });
    const [request] = named(spans, 'POST /approvals.submit');
    expect(request?.attributes['http.response.status_code']).toBe(409);
    expect(parentOf(request as ReadableSpan)).toBe(APPROVALS_APP_SPAN);
    const text = JSON.stringify(spans.map((s) => [s.attributes, s.status, s.events]));
    expect(text).not.toContain(tokens[0]);
  });

  test('off unless configured: no span and no traceparent on adapter requests', async () => {
    const exporter = new InMemorySpanExporter();
    const { hubspot } = await runFlow({ tracing: false, exporter });
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(hubspot.received.every((call) => call.headers.traceparent === undefined)).toBe(true);
  });
});
