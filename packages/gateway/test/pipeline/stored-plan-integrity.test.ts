import { canonicalJson, type HandoffPlan } from '@handoff/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { planVariant, snapshot } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Rewrites the stored document of `digest` in place (still RFC 8785 text), as someone with the database file. */
function forge(digest: string, change: (document: Record<string, unknown>) => void): void {
  const db = h.runtime.store.sqlite;
  const body = db.prepare('select body from payloads where digest = ?').pluck().get(digest);
  const document = JSON.parse(String(body)) as Record<string, unknown>;
  change(document);
  db.prepare('update payloads set body = ? where digest = ?').run(canonicalJson(document), digest);
}

describe('stored plans and evaluations are re-hashed when the pipeline loads them', () => {
  it('refuses an approval of a plan whose stored document was edited: INTERNAL, nothing written', async () => {
    h = await createHarness();
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(1));
    expect(view.state).toBe('awaiting_approval');
    forge(view.digest, (plan) => {
      const [option] = (plan as unknown as HandoffPlan).options;
      const action = option?.actions[0] as { estimatedCost: { amountMinor: number } };
      action.estimatedCost.amountMinor = 645;
    });
    const before = snapshot(h);
    const token = await h.sign(view, {
      key: h.keys.finance,
      sub: 'fiona.finance',
      role: 'finance',
    });
    await expect(
      h.gateway.submitApproval(h.callers.approver.principal, token),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('does not hash to its digest'),
    });
    expect(snapshot(h)).toEqual(before);
    const row = h.runtime.store.sqlite
      .prepare('select state from plans where plan_id = ?')
      .pluck()
      .get(view.planId);
    expect(row).toBe('awaiting_approval');
  });

  it('refuses to read a plan whose stored policy evaluation was edited', async () => {
    h = await createHarness();
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(2));
    const evaluation = h.runtime.store.sqlite
      .prepare('select evaluation_digest from plans where plan_id = ?')
      .pluck()
      .get(view.planId) as string;
    forge(evaluation, (document) => {
      document.policyVersion = 'forged';
    });
    await expect(
      h.gateway.getPlan(h.callers.operator.principal, view.planId),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
