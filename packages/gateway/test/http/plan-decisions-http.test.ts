import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixturePlan } from '../support/harness.js';
import { type HttpGateway, rawCall, startHttpGateway } from './http-fixture.js';

/*
 * Over plain HTTP (issue 17): plans.get answers the plan document to the tenant's approvers, operators and
 * auditors, and a rejection's reason to the copilot that submitted the plan.
 */

let gw: HttpGateway;
beforeAll(async () => {
  gw = await startHttpGateway();
});
afterAll(() => gw?.close());

async function getPlan(apiKey: string, planId: string) {
  const answer = await rawCall(gw.url, 'plans.get', {
    type: 'query',
    input: { planId },
    credential: apiKey,
  });
  expect(answer.status).toBe(200);
  return (answer.body as { result: { data: { document?: { options: unknown } } } }).result.data;
}

describe('plans.get over HTTP', () => {
  test('the document to approvers, operators and auditors; the rejection reason to the copilot', async () => {
    const { acme } = gw.callers;
    const view = await gw.gateway.submitPlan(acme.copilot.principal, fixturePlan());
    for (const caller of [acme.approver, acme.operator, acme.auditor]) {
      const seen = await getPlan(caller.apiKey, view.planId);
      expect(seen.document?.options).toEqual(fixturePlan().options);
    }
    const reason = 'Cap this at the broadcast: the call list is over budget';
    const token = await gw.sign(view, {
      key: gw.keys.finance,
      sub: 'fiona.finance',
      role: 'finance',
      decision: 'reject',
      comment: reason,
    });
    const rejected = await rawCall(gw.url, 'approvals.submit', {
      type: 'mutation',
      input: { token },
      credential: acme.approver.apiKey,
    });
    expect(rejected.status).toBe(200);
    const seen = await getPlan(acme.copilot.apiKey, view.planId);
    expect(seen).toMatchObject({
      state: 'rejected',
      approvals: [{ decision: 'reject', approver: 'fiona.finance', reason }],
    });
    const foreign = await rawCall(gw.url, 'plans.get', {
      type: 'query',
      input: { planId: view.planId },
      credential: gw.callers.globex.auditor.apiKey,
    });
    expect(foreign.status).toBe(404);
  });
});
