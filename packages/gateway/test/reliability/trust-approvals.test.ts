import type { LineageEvent } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import type { SigningKeyPair } from '../../src/approvals/signing-keys.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { count } from '../pipeline/helpers.js';
import { fixturePlan } from '../support/harness.js';
import { tally } from './tally.js';

/**
 * Issue 13, observations 1 to 3, against a real gateway over HTTP: approver identity, tenant and roles come from
 * the approver registry (the registration of the key that verified the token), and separation of duties compares
 * principals and registered identities, not claims. The fixture plan's recommended option waits for a quorum of 2
 * distinct roles (finance and marketing_lead); each attack must leave it awaiting approval with nothing queued.
 */

const AREA = 'trust: approvals';
let gw: HttpGateway;
afterEach(() => gw?.close());

function dataOf<T>(answer: { body: unknown }): T {
  return (answer.body as { result: { data: T } }).result.data;
}

async function submitPlan(credential: string): Promise<PlanView> {
  const answer = await rawCall(gw.url, 'plans.submit', {
    type: 'mutation',
    input: { plan: fixturePlan() },
    credential,
  });
  expect(answer.status).toBe(200);
  const view = dataOf<PlanView>(answer);
  expect(view.state).toBe('awaiting_approval');
  return view;
}

/** Signs an approval of `view`'s recommended option with `key`, claiming `sub` and `role`. */
function signed(view: PlanView, key: SigningKeyPair, sub: string, role: string) {
  return gw.sign(view, { key, sub, role });
}

async function present(token: string, credential: string) {
  return rawCall(gw.url, 'approvals.submit', { type: 'mutation', input: { token }, credential });
}

/** The plan as the acme auditor reads it, and the refusals recorded for it (over HTTP). */
async function outcome(planId: string) {
  const { auditor } = gw.callers.acme;
  const plan = dataOf<PlanView>(
    await rawCall(gw.url, 'plans.get', {
      type: 'query',
      input: { planId },
      credential: auditor.apiKey,
    }),
  );
  const events = dataOf<{ items: LineageEvent[] }>(
    await rawCall(gw.url, 'lineage.query', {
      type: 'query',
      input: { types: ['approval.refused'], limit: 500 },
      credential: auditor.apiKey,
    }),
  ).items;
  return { plan, refusals: events.map((e) => e.data.code), queued: count(gw, 'dispatches') };
}

describe(AREA, () => {
  test('observation 1: one approver key cannot meet a two-person, two-role quorum', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    gw = await startHttpGateway();
    const { copilot, approver } = gw.callers.acme;
    const view = await submitPlan(copilot.apiKey);
    const finance = gw.keys.finance;
    const attempts = [
      { sub: 'approver-1', role: 'finance', code: 'APPROVAL_SUBJECT_MISMATCH' },
      { sub: 'approver-2', role: 'marketing_lead', code: 'APPROVAL_SUBJECT_MISMATCH' },
      // Its own registered subject, in a role it does not hold, is no better.
      { sub: 'fiona.finance', role: 'marketing_lead', code: 'APPROVAL_ROLE_NOT_HELD' },
    ];
    for (const attempt of attempts) {
      t.tried();
      const answer = await present(
        await signed(view, finance, attempt.sub, attempt.role),
        approver.apiKey,
      );
      expect([answer.status, answer.envelope?.code]).toEqual([403, attempt.code]);
      t.held();
    }
    const after = await outcome(view.planId);
    expect(after.plan).toMatchObject({ state: 'awaiting_approval', approvals: [] });
    expect(after.refusals).toEqual(attempts.map((a) => a.code));
    expect(after.queued).toBe(0);
  });

  test("observation 2: another tenant's approver key cannot approve a plan", async ({ task }) => {
    const t = tally(task, AREA);
    gw = await startHttpGateway();
    const { copilot, approver } = gw.callers.acme;
    const view = await submitPlan(copilot.apiKey);
    // gina.globex is registered in globex with both roles the gate asks for; acme's approver presents.
    const globex = gw.keys.globexFinance;
    for (const [sub, role] of [
      ['gina.globex', 'finance'],
      ['gina.deputy', 'marketing_lead'],
    ] as const) {
      t.tried();
      // Registries are per tenant: globex's kid is not registered in acme, refused as any unregistered kid is.
      const answer = await present(await signed(view, globex, sub, role), approver.apiKey);
      expect([answer.status, answer.envelope?.code]).toEqual([401, 'APPROVAL_KEY_NOT_REGISTERED']);
      t.held();
    }
    const after = await outcome(view.planId);
    expect(after.plan).toMatchObject({ state: 'awaiting_approval', approvals: [] });
    expect(after.refusals).toEqual(['APPROVAL_KEY_NOT_REGISTERED', 'APPROVAL_KEY_NOT_REGISTERED']);
    expect(after.queued).toBe(0);
  });

  test('observation 3: a principal holding copilot and approver cannot approve what it submitted', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    gw = await startHttpGateway({
      extraCallers: {
        both: {
          id: 'acme-copilot-approver',
          tenantId: 'acme-bank',
          roles: ['copilot', 'approver'],
        },
      },
    });
    const both = gw.callers.extra.both;
    if (!both) throw new Error('the fixture has no copilot+approver caller');
    const view = await submitPlan(both.apiKey);
    // Even honest tokens of the two registered approvers are refused when this principal presents them, and
    // tokens with made-up subjects are refused before that.
    const tokens = [
      await signed(view, gw.keys.finance, 'fiona.finance', 'finance'),
      await signed(view, gw.keys.marketing, 'mark.lead', 'marketing_lead'),
      await signed(view, gw.keys.finance, 'approver-1', 'finance'),
    ];
    const expected = [
      'APPROVAL_SELF_APPROVAL',
      'APPROVAL_SELF_APPROVAL',
      'APPROVAL_SUBJECT_MISMATCH',
    ];
    for (const [index, token] of tokens.entries()) {
      t.tried();
      const answer = await present(token, both.apiKey);
      expect([answer.status, answer.envelope?.code]).toEqual([403, expected[index]]);
      t.held();
    }
    const after = await outcome(view.planId);
    expect(after.plan).toMatchObject({ state: 'awaiting_approval', approvals: [] });
    expect(after.refusals).toEqual(expected);
    expect(after.queued).toBe(0);
  });
});
