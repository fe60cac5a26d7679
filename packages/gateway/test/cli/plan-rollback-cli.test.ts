import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { BUDGET_MOVE, rollbackPlan } from '../rollback/rollback-support.js';
import { TENANT } from '../support/harness.js';
import { runCli } from './cli-support.js';

const ads = scriptedAdapter('google-ads', { dedupes: true, reversible: ['set_campaign_budget'] });
let gw: HttpGateway;
let planId: string;
beforeAll(async () => {
  gw = await startHttpGateway({
    adapters: [ads.adapter],
    extraCallers: { operator2: { id: 'operator-2', tenantId: TENANT, roles: ['operator'] } },
  });
  const plan = rollbackPlan([BUDGET_MOVE]);
  planId = plan.planId;
  const view = await gw.gateway.submitPlan(gw.callers.acme.copilot.principal, plan);
  expect(view.state).toBe('approved');
  await gw.runtime.dispatcher.runDue();
});
afterAll(() => gw?.close());

function rollback(apiKey: string, ...more: string[]) {
  return runCli(
    'plan',
    'rollback',
    planId,
    '--reason',
    'CPA doubled',
    '--url',
    gw.url,
    '--api-key',
    apiKey,
    ...more,
  );
}

describe('handoff plan rollback', () => {
  test('asks, a second operator approves, and the budget move is reversed', async () => {
    const asked = await rollback(gw.callers.acme.operator.apiKey, '--json');
    expect(asked.code, asked.err).toBe(EXIT.OK);
    expect(JSON.parse(asked.out)).toMatchObject({
      status: 'awaiting_approval',
      approvals: { required: 1, approvedBy: [] },
    });
    const operator2 = gw.callers.extra.operator2?.apiKey ?? '';
    const approved = await rollback(operator2);
    expect(approved.code, approved.err).toBe(EXIT.OK);
    expect(approved.out).toContain(`plan ${planId} rollback: queued (approvals 1 of 1)`);
    expect(approved.out).toContain(
      'undo action 0 raise-search (set_campaign_budget): restore_budget',
    );
    await gw.runtime.dispatcher.runDue();
    expect(ads.reverseCalls).toHaveLength(1);
  });

  test('a refusal exits 1 with its code: a second request, a copilot', async () => {
    const again = await rollback(gw.callers.acme.operator.apiKey, '--json');
    expect(again.code).toBe(EXIT.REFUSED);
    expect(again.err + again.out).toContain('ROLLBACK_ALREADY_REQUESTED');
    const copilot = await rollback(gw.callers.acme.copilot.apiKey, '--json');
    expect(copilot.code).toBe(EXIT.REFUSED);
    expect(copilot.err + copilot.out).toContain('FORBIDDEN');
  });
});
