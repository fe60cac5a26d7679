import { readFileSync } from 'node:fs';
import type { HandoffPlan } from '@handoff/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DECISION_EVENTS } from '../../src/observability/decision-log.js';
import { twoActionPlan } from '../dispatch/dispatch-support.js';
import { refused, scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { defaultCaps } from '../support/harness.js';
import { type HttpGateway, startHttpGateway } from './http-fixture.js';

type Line = Record<string, unknown> & { event?: string; requestId?: string; level: number };

/** Every line a real pino logger wrote, parsed, with a way to wait for one (no sleeps). */
function capturedLog() {
  const raw: string[] = [];
  const lines: Line[] = [];
  const waiting: { event: string; resolve: (line: Line) => void }[] = [];
  const stream = {
    write(chunk: string) {
      raw.push(chunk);
      const line = JSON.parse(chunk) as Line;
      lines.push(line);
      for (const w of waiting.splice(0)) {
        if (line.event === w.event) w.resolve(line);
        else waiting.push(w);
      }
    },
  };
  return {
    logger: pino({ level: 'info' }, stream),
    raw,
    lines,
    next: (event: string) =>
      new Promise<Line>((resolve) => {
        const seen = lines.find((l) => l.event === event);
        if (seen) resolve(seen);
        else waiting.push({ event, resolve });
      }),
  };
}

/** Every string of a plan a person wrote or that names a person: free text and contacts (spaces or `@`). */
function payloadStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && /[\s@]/.test(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) payloadStrings(v, out);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) payloadStrings(v, out);
  return out;
}

const PLAN_ID = '019a8f2e-5c4b-7d3e-9a1f-000000000d10';
const plan: HandoffPlan = { ...twoActionPlan(), planId: PLAN_ID };

let gw: HttpGateway;
const log = capturedLog();
beforeAll(async () => {
  // The first hubspot call is refused for good: a dead letter. The interval is long, so the only dispatch run
  // is the one the approving request starts (its lines carry that request's id).
  const hubspot = scriptedAdapter('hubspot', { steps: [refused()] });
  gw = await startHttpGateway({
    adapters: [hubspot.adapter],
    dispatch: { intervalMs: 60_000, maxAttempts: 1 },
    logger: log.logger,
  });
});
afterAll(() => gw?.close());

/** One procedure call over HTTP with an `x-request-id`; returns the status and the id the gateway answered with. */
async function call(
  path: string,
  credential: string,
  input: unknown,
  requestId?: string,
): Promise<{ status: number; requestId: string | null }> {
  const response = await fetch(`${gw.url}/${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${credential}`,
      'content-type': 'application/json',
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
    body: JSON.stringify(input),
  });
  await response.text();
  return { status: response.status, requestId: response.headers.get('x-request-id') };
}

describe('the decision log of a full run over HTTP', () => {
  test('one line per decision, each with its request id, and no secret anywhere', async () => {
    const { copilot, approver, operator } = gw.callers.acme;

    expect(await call('plans.submit', copilot.apiKey, { plan }, 'req-submit')).toEqual({
      status: 200,
      requestId: 'req-submit',
    });
    const bad = await call('plans.submit', copilot.apiKey, { plan: { planId: 'nope' } }, 'req-bad');
    expect(bad.status).toBe(400);

    const view = await gw.gateway.getPlan(operator.principal, PLAN_ID);
    const finance = await gw.sign(view, {
      key: gw.keys.finance,
      sub: 'fiona.finance',
      role: 'finance',
    });
    const marketing = await gw.sign(view, {
      key: gw.keys.marketing,
      sub: 'mark.lead',
      role: 'marketing_lead',
    });
    expect(
      (await call('approvals.submit', approver.apiKey, { token: finance }, 'req-ap1')).status,
    ).toBe(200);
    expect(
      (await call('approvals.submit', approver.apiKey, { token: finance }, 'req-replay')).status,
    ).toBe(409);
    expect(
      (await call('approvals.submit', approver.apiKey, { token: marketing }, 'req-ap2')).status,
    ).toBe(200);
    await log.next(DECISION_EVENTS.deadLetter);

    const roomy = defaultCaps().map((c) => ({
      ...(c as object),
      limit: { amountMinor: 9_000_000, currency: 'EUR' },
    }));
    expect(
      (await call('budget.setCaps', operator.apiKey, { caps: roomy }, 'req-caps')).status,
    ).toBe(200);
    const pause = { scopeType: 'workflow', scopeValue: 'term-deposit-q4', reason: 'incident 42' };
    expect((await call('control.pause', operator.apiKey, pause, 'req-pause')).status).toBe(200);

    const of = (event: string) => log.lines.filter((l) => l.event === event);
    expect(of(DECISION_EVENTS.submission)).toMatchObject([
      { requestId: 'req-submit', planId: PLAN_ID, tenantId: 'acme-bank', created: true },
    ]);
    expect(of(DECISION_EVENTS.decision)).toMatchObject([
      { requestId: 'req-submit', planId: PLAN_ID, state: 'awaiting_approval' },
    ]);
    expect(of(DECISION_EVENTS.submissionRefused)).toMatchObject([
      { requestId: 'req-bad', code: 'VALIDATION_FAILED' },
    ]);
    expect(of(DECISION_EVENTS.approvalAccepted)).toMatchObject([
      { requestId: 'req-ap1', planId: PLAN_ID, decisive: false },
      { requestId: 'req-ap2', planId: PLAN_ID, decisive: true, state: 'approved' },
    ]);
    expect(of(DECISION_EVENTS.approvalRefused)).toMatchObject([
      { requestId: 'req-replay', code: 'APPROVAL_REPLAYED' },
    ]);
    expect(of(DECISION_EVENTS.dispatchAttempt)[0]).toMatchObject({
      requestId: 'req-ap2',
      planId: PLAN_ID,
      adapter: 'hubspot',
      attempt: 1,
      fate: 'dead',
      code: 'INVALID_REQUEST',
    });
    expect(of(DECISION_EVENTS.deadLetter)).toMatchObject([
      { requestId: 'req-ap2', planId: PLAN_ID, adapter: 'hubspot', code: 'INVALID_REQUEST' },
    ]);
    expect(of(DECISION_EVENTS.capsChanged)).toMatchObject([
      { requestId: 'req-caps', capIds: defaultCaps().map((c) => (c as { capId: string }).capId) },
    ]);
    expect(of(DECISION_EVENTS.killSwitch)).toMatchObject([
      { requestId: 'req-pause', action: 'pause', scope: 'workflow:term-deposit-q4' },
    ]);

    const everything = log.raw.join('');
    const keys = Object.values(gw.keys).flatMap((k) => [
      JSON.stringify(k.privateJwk),
      String(k.privateJwk.d),
    ]);
    const apiKeys = [...Object.values(gw.callers.acme), ...Object.values(gw.callers.globex)].map(
      (c) => c.apiKey,
    );
    const secrets = [
      ...apiKeys,
      finance,
      marketing,
      ...keys,
      ...payloadStrings(plan),
      'incident 42',
    ];
    expect(payloadStrings(plan)).toContain('client-0007@example.com');
    for (const secret of secrets) expect(everything, secret.slice(0, 40)).not.toContain(secret);
  });

  test('a malformed x-request-id is replaced by a fresh one, never echoed', async () => {
    const answer = await call(
      'plans.list',
      gw.callers.acme.auditor.apiKey,
      {},
      'bad id\twith spaces',
    );
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await call('plans.list', gw.callers.acme.auditor.apiKey, {});
    expect(fresh.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.requestId).not.toBe(answer.requestId);
  });
});

describe('the README documents the decision log', () => {
  test('every decision event has a row in the README table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const event of Object.values(DECISION_EVENTS)) {
      expect(readme, event).toMatch(new RegExp(`^\\| \`${event.replace('.', '\\.')}\` \\|`, 'm'));
    }
  });
});
