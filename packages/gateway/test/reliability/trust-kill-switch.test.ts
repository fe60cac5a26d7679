import type { LineageEvent } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { COPILOT_MODEL, OPTION_2, planVariant } from '../pipeline/helpers.js';
import { gatedOptionTwoPlan } from '../pipeline/kill-switch-support.js';
import { tally } from './tally.js';

/**
 * Issue 13, the kill switch on every path, tried as an attacker would against a real gateway over HTTP: an
 * approval of the option a pause covers (observation 4), and a look-alike copilot model label (observation 11).
 */

let gw: HttpGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

function call(g: HttpGateway, path: string, credential: string, input: unknown, query = false) {
  return rawCall(g.url, path, { type: query ? 'query' : 'mutation', input, credential });
}

function dataOf<T>(answer: { body: unknown }): T {
  return (answer.body as { result: { data: T } }).result.data;
}

async function controlHeld(g: HttpGateway, planId: string): Promise<LineageEvent[]> {
  const page = await call(
    g,
    'lineage.query',
    g.callers.acme.auditor.apiKey,
    { planId, types: ['control.held'], limit: 500 },
    true,
  );
  return dataOf<{ items: LineageEvent[] }>(page).items;
}

describe('trust: kill switch', () => {
  test('observation 4: a pause of an adapter holds the approval of another option that uses it', async ({
    task,
  }) => {
    const t = tally(task, 'trust: kill switch');
    t.tried();
    const hubspot = scriptedAdapter('hubspot');
    const customerio = scriptedAdapter('customerio');
    const g = await startHttpGateway({ adapters: [hubspot.adapter, customerio.adapter] });
    gw = g;
    const { acme } = g.callers;
    const submitted = await call(g, 'plans.submit', acme.copilot.apiKey, {
      plan: gatedOptionTwoPlan(1),
    });
    const view = dataOf<PlanView>(submitted);
    // Option A (recommended) runs on hubspot; option B on customerio.
    expect(view).toMatchObject({
      state: 'awaiting_approval',
      recommendedOptionId: 'call-prior-successes',
    });

    const paused = await call(g, 'control.pause', acme.operator.apiKey, {
      scopeType: 'adapter',
      scopeValue: 'customerio',
      reason: 'customerio incident',
    });
    expect(paused.status).toBe(200);
    expect(dataOf<PlanView[]>(paused)).toEqual([]);

    // Two honest approvers approve option B, which uses the paused adapter.
    const optionB = { ...view, recommendedOptionId: OPTION_2 };
    const tokens = [
      await g.sign(optionB, { key: g.keys.finance, sub: 'fiona.finance', role: 'finance' }),
      await g.sign(optionB, { key: g.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
    ];
    for (const token of tokens) {
      const answer = await call(g, 'approvals.submit', acme.approver.apiKey, { token });
      expect(answer.status).toBe(412);
      expect(answer.envelope?.code).toBe('SCOPE_PAUSED');
    }
    await g.runtime.dispatcher.runDue();
    expect(customerio.calls).toEqual([]);
    expect(hubspot.calls).toEqual([]);
    const plan = dataOf<PlanView>(
      await call(g, 'plans.get', acme.operator.apiKey, { planId: view.planId }, true),
    );
    expect(plan).toMatchObject({ state: 'awaiting_approval', approvals: [] });
    const held = await controlHeld(g, view.planId);
    expect(held.map((e) => e.data)).toEqual(
      ['fiona.finance', 'mark.lead'].map((approver) =>
        expect.objectContaining({
          held: 'approval',
          approver,
          optionId: OPTION_2,
          controls: [{ scopeType: 'adapter', scopeValue: 'customerio' }],
        }),
      ),
    );

    // After the resume the same (unspent) tokens approve option B, and it is sent once.
    const resumed = await call(g, 'control.resume', acme.operator.apiKey, {
      scopeType: 'adapter',
      scopeValue: 'customerio',
    });
    expect(resumed.status).toBe(200);
    for (const token of tokens) {
      const answer = await call(g, 'approvals.submit', acme.approver.apiKey, { token });
      expect(answer.status).toBe(200);
    }
    await g.runtime.dispatcher.runDue();
    expect(customerio.calls).toHaveLength(1);
    expect(hubspot.calls).toEqual([]);
    t.held();
  });

  test('observation 11: a look-alike copilot_model label cannot escape a pause on the model', async ({
    task,
  }) => {
    const t = tally(task, 'trust: kill switch');
    t.tried();
    const g = await startHttpGateway();
    gw = g;
    const { acme } = g.callers;
    const pause = await call(g, 'control.pause', acme.operator.apiKey, {
      scopeType: 'copilot_model',
      scopeValue: COPILOT_MODEL,
      reason: 'model incident',
    });
    expect(pause.status).toBe(200);

    // example‑planner with U+2011 (non-breaking hyphen): looks like example-planner, is refused by the contract.
    const lookAlike = planVariant(1, (p) => {
      p.copilot.model = 'example\u2011planner';
    });
    const submitted = await call(g, 'plans.submit', acme.copilot.apiKey, { plan: lookAlike });
    expect(submitted.status).toBe(400);
    expect(submitted.envelope).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [expect.objectContaining({ path: '/copilot/model', code: 'INVALID_FORMAT' })],
    });
    const lookup = await call(
      g,
      'plans.get',
      acme.operator.apiKey,
      { planId: lookAlike.planId },
      true,
    );
    expect(lookup.status).toBe(404);

    // A pause on the look-alike is refused too (it could never cover a plan).
    const lookAlikePause = await call(g, 'control.pause', acme.operator.apiKey, {
      scopeType: 'copilot_model',
      scopeValue: 'Example Copilot Co/example\u2011planner@2026-10-01',
      reason: 'look-alike',
    });
    expect(lookAlikePause.status).toBe(400);
    expect(lookAlikePause.envelope?.issues).toEqual([
      expect.objectContaining({ path: '/scopeValue', code: 'INVALID_FORMAT' }),
    ]);

    // The honest label is held on arrival, with control.held.
    const honest = dataOf<PlanView>(
      await call(g, 'plans.submit', acme.copilot.apiKey, { plan: planVariant(2) }),
    );
    expect(honest.state).toBe('paused');
    expect(await controlHeld(g, honest.planId)).toHaveLength(1);
    t.held();
  });
});
