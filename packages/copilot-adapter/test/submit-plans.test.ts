import { MAX_BATCH_PLANS } from '@handoff/gateway';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_PLANS_PER_REQUEST, type PlanSubmissionResult } from '../src/index.js';
import { clientOf, freshPlan, rejection, scriptedFetch } from './support/client-helpers.js';
import { type ServedGateway, serveGateway } from './support/gateway.js';

/** `HandoffClient.submitPlans` against a real gateway over HTTP (`plans.submitBatch`). */

let gw: ServedGateway;
beforeAll(async () => {
  gw = await serveGateway();
});
afterAll(() => gw?.close());

const outcome = (r: PlanSubmissionResult) => (r.ok ? r.plan.state : `${r.status} ${r.error.code}`);

describe('HandoffClient.submitPlans', () => {
  test('one result per plan, in order: a refused plan is refused alone', async () => {
    const scripted = scriptedFetch([]);
    const [first, last] = [freshPlan(), freshPlan()];
    const bad = freshPlan();
    const option = bad.options[0];
    if (!option) throw new Error('fixture');
    option.budget.amount.amountMinor = 560.5;
    const foreign = { ...freshPlan(), tenantId: 'globex' };
    const results = await clientOf(gw, { fetch: scripted.fetch }).submitPlans([
      { plan: first },
      { plan: bad },
      { plan: foreign },
      { plan: last },
    ]);
    expect(results.map(outcome)).toEqual([
      'awaiting_approval',
      '400 VALIDATION_FAILED',
      '403 FORBIDDEN',
      'awaiting_approval',
    ]);
    const refused = results[1];
    expect(refused?.ok === false && refused.error.issues[0]).toMatchObject({
      path: '/options/0/budget/amount/amountMinor',
      code: 'MONEY_NOT_INTEGER',
    });
    expect(scripted.calls).toEqual(['POST /plans.submitBatch']);
    const c = clientOf(gw);
    expect(await c.status(last.planId)).toMatchObject({ state: 'awaiting_approval' });
    expect((await rejection(c.status(bad.planId))).code).toBe('NOT_FOUND');
  });

  test(`more than ${MAX_PLANS_PER_REQUEST} plans go in consecutive requests; a resubmission answers created: false`, async () => {
    expect(MAX_PLANS_PER_REQUEST).toBe(MAX_BATCH_PLANS);
    const scripted = scriptedFetch([]);
    const items = Array.from({ length: MAX_PLANS_PER_REQUEST + 3 }, () => ({ plan: freshPlan() }));
    const c = clientOf(gw, { fetch: scripted.fetch });
    const results = await c.submitPlans(items);
    expect(scripted.calls).toEqual(['POST /plans.submitBatch', 'POST /plans.submitBatch']);
    expect(results.map((r) => r.ok && r.plan.planId)).toEqual(items.map((i) => i.plan.planId));
    expect(results.every((r) => r.ok && r.plan.created)).toBe(true);
    const again = await c.submitPlans(items.slice(0, 2));
    expect(again.map((r) => r.ok && r.plan.created)).toEqual([false, false]);
  });

  test('an empty list sends nothing; a bad credential rejects the call, unretried', async () => {
    const scripted = scriptedFetch([]);
    expect(await clientOf(gw, { fetch: scripted.fetch }).submitPlans([])).toEqual([]);
    expect(scripted.calls).toEqual([]);
    const wrong = clientOf(gw, { credential: 'hk_not_a_key', fetch: scripted.fetch });
    expect(await rejection(wrong.submitPlans([{ plan: freshPlan() }]))).toMatchObject({
      code: 'UNAUTHENTICATED',
      httpStatus: 401,
    });
    expect(scripted.calls).toEqual(['POST /plans.submitBatch']);
  });
});
