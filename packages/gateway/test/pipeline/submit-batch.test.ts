import { describe, expect, test } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { GatewayError } from '../../src/errors.js';
import {
  type PlanSubmitter,
  type SubmittedPlan,
  submitPlanBatch,
} from '../../src/pipeline/submit-batch.js';

/**
 * `submitPlanBatch` against a scripted submitter: every item is started and settled before the batch answers,
 * a `GatewayError` stays with its item, and any other failure (a defect, not the plan's fault) fails the call.
 */

const COPILOT: Principal = {
  id: 'copilot-1',
  tenantId: 'acme-bank',
  roles: ['copilot'],
  via: 'api_key',
};

/** A submitter that answers each plan (a string) as scripted: a view, a refusal or a crash. */
function scripted(outcomes: Record<string, 'ok' | 'refuse' | 'crash'>) {
  const started: string[] = [];
  const settled: string[] = [];
  const submitter: PlanSubmitter = {
    async submitPlan(_principal, plan) {
      const id = String(plan);
      started.push(id);
      await Promise.resolve();
      settled.push(id);
      if (outcomes[id] === 'refuse') throw new GatewayError('PLAN_CONFLICT', `conflict ${id}`);
      if (outcomes[id] === 'crash') throw new Error('disk on fire');
      return { planId: id, created: true } as unknown as SubmittedPlan;
    },
  };
  return { submitter, started, settled };
}

describe('submitPlanBatch', () => {
  test('a refused item keeps its place and its envelope; the others are answered', async () => {
    const { submitter } = scripted({ a: 'ok', b: 'refuse', c: 'ok' });
    const results = await submitPlanBatch(submitter, COPILOT, [
      { plan: 'a' },
      { plan: 'b' },
      { plan: 'c' },
    ]);
    expect(results).toEqual([
      { ok: true, plan: { planId: 'a', created: true } },
      {
        ok: false,
        status: 409,
        error: expect.objectContaining({ code: 'PLAN_CONFLICT', message: 'conflict b' }),
      },
      { ok: true, plan: { planId: 'c', created: true } },
    ]);
  });

  test('a failure that is not a GatewayError fails the batch, after every item settled', async () => {
    const { submitter, started, settled } = scripted({ a: 'ok', b: 'crash', c: 'ok' });
    await expect(
      submitPlanBatch(submitter, COPILOT, [{ plan: 'a' }, { plan: 'b' }, { plan: 'c' }]),
    ).rejects.toThrow('disk on fire');
    expect(started).toEqual(['a', 'b', 'c']);
    expect(settled.sort()).toEqual(['a', 'b', 'c']);
  });

  test('a malformed item never reaches the submitter', async () => {
    const { submitter, started } = scripted({ a: 'ok' });
    const results = await submitPlanBatch(submitter, COPILOT, [{ plan: 'a' }, 'not an item']);
    expect(started).toEqual(['a']);
    expect(results[1]).toMatchObject({
      ok: false,
      status: 400,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: '', code: 'INVALID_TYPE' }] },
    });
  });
});
