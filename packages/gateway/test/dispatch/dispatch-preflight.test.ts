import type { AutomationAdapter, PreflightResult } from '@handoff/automation-adapter';
import { AdapterError } from '@handoff/automation-adapter';
import { afterEach, describe, expect, test } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { approvedPlan, eventTypes, outboxOf } from './dispatch-support.js';
import { scriptedAdapter } from './scripted-adapter.js';

let h: Harness;
afterEach(async () => h?.close());

/** The scripted hubspot adapter with a preflight answering `answers` in turn (then passing). */
function withPreflight(answers: (PreflightResult | AdapterError)[]) {
  const scripted = scriptedAdapter('hubspot');
  const preflights: string[] = [];
  const adapter: AutomationAdapter = {
    ...scripted.adapter,
    manifest: { ...scripted.adapter.manifest, supportsPreflight: true },
    async preflight(action) {
      preflights.push(action.actionId);
      const answer = answers.shift() ?? { ok: true, observed: { current: 'fine' } };
      if (answer instanceof AdapterError) throw answer;
      return answer;
    },
  };
  return { adapter, calls: scripted.calls, preflights };
}

const conflict: PreflightResult = {
  ok: false,
  observed: { currentBudget: { amountMinor: 4_500, currency: 'EUR' } },
  issues: [
    {
      path: '/params/currentBudget/amountMinor',
      code: 'CONFLICT',
      message: 'The platform holds 4500',
    },
  ],
};

async function lineage(planId: string) {
  const page = await h.gateway.queryLineage(h.callers.auditor.principal, { planId, limit: 500 });
  return page.items;
}

describe('the preflight stage of a dispatch', () => {
  test('a refused preflight stops the action before execute: no retry, a dead letter, the figures in the lineage', async () => {
    const platform = withPreflight([conflict]);
    h = await createHarness({ adapters: [platform.adapter] });
    const plan = await approvedPlan(h);
    const summary = await h.runtime.dispatcher.runDue();
    expect(summary).toMatchObject({ attempted: 1, succeeded: 0, deadLettered: 1 });
    expect(platform.preflights).toHaveLength(1);
    expect(platform.calls).toHaveLength(0);
    const [row] = await outboxOf(h, plan.planId);
    expect(row).toMatchObject({ status: 'dead', attempts: 1, lastError: 'CONFLICT' });
    const types = await eventTypes(h, plan.planId);
    expect(types).toContain('dispatch.preflight_failed');
    expect(types).not.toContain('dispatch.failed');
    expect(types).not.toContain('dispatch.retry_scheduled');
    const event = (await lineage(plan.planId)).find((e) => e.type === 'dispatch.preflight_failed');
    expect(event?.data).toMatchObject({
      code: 'CONFLICT',
      retryable: false,
      issues: [{ path: '/params/currentBudget/amountMinor', code: 'CONFLICT' }],
      observed: { currentBudget: { amountMinor: 4_500, currency: 'EUR' } },
    });
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
    expect(platform.calls).toHaveLength(0);
  });

  test('a passing preflight runs before execute and its figures join dispatch.succeeded', async () => {
    const platform = withPreflight([]);
    h = await createHarness({ adapters: [platform.adapter] });
    const plan = await approvedPlan(h);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    expect(platform.preflights).toHaveLength(1);
    expect(platform.calls).toHaveLength(1);
    const event = (await lineage(plan.planId)).find((e) => e.type === 'dispatch.succeeded');
    expect(event?.data).toMatchObject({ preflight: { current: 'fine' } });
  });

  test('a below-minimum issue dead-letters as INVALID_REQUEST; a preflight that cannot reach the platform is retried', async () => {
    const below: PreflightResult = {
      ok: false,
      observed: { minimumDailyMinor: 100 },
      issues: [
        {
          path: '/params/newBudget/amountMinor',
          code: 'BELOW_PLATFORM_MINIMUM',
          message: 'below 100',
        },
      ],
    };
    const platform = withPreflight([new AdapterError('PLATFORM_UNAVAILABLE', 'down'), below]);
    h = await createHarness({ adapters: [platform.adapter] });
    const plan = await approvedPlan(h);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 1, deadLettered: 0 });
    const [retrying] = await outboxOf(h, plan.planId);
    expect(retrying).toMatchObject({ status: 'pending', lastError: 'PLATFORM_UNAVAILABLE' });
    h.clock.advance(60_000);
    await h.runtime.dispatcher.runDue();
    const [row] = await outboxOf(h, plan.planId);
    expect(row).toMatchObject({ status: 'dead', lastError: 'INVALID_REQUEST' });
    expect(platform.calls).toHaveLength(0);
  });
});
