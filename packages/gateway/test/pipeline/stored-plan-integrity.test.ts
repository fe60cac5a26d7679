import { canonicalJson, type HandoffPlan, sha256Digest } from '@handoff/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluationOf } from '../../src/pipeline/recorded-evaluation.js';
import { createHarness, type Harness } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { planVariant, snapshot } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Rewrites the stored document of `digest` in place (still RFC 8785 text), as someone with the database file. */
function forge(digest: string, change: (document: Record<string, unknown>) => void): void {
  const db = sqliteOf(h.runtime.store);
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
    const row = sqliteOf(h.runtime.store)
      .prepare('select state from plans where plan_id = ?')
      .pluck()
      .get(view.planId);
    expect(row).toBe('awaiting_approval');
  });

  it("reads a format-1 plan's stored policy evaluation, and refuses it once edited", async () => {
    h = await createHarness();
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(2));
    const db = sqliteOf(h.runtime.store);
    // A plan of lineage format 1: its evaluation stored as a `PolicyEvaluation` payload the row names.
    const stored = await h.runtime.store.transaction(async (tx) => {
      const record = await tx.getPlan(view.tenantId, view.planId);
      if (!record) throw new Error('plan not stored');
      return evaluationOf(tx, record);
    });
    const body = canonicalJson(stored);
    const digest = sha256Digest(body);
    db.prepare(
      "insert into payloads (digest, kind, body, created_at) values (?, 'PolicyEvaluation', ?, 0)",
    ).run(digest, body);
    db.prepare('update plans set evaluation_digest = ? where plan_id = ?').run(digest, view.planId);
    const read = await h.gateway.getPlan(h.callers.operator.principal, view.planId);
    expect(read.decisions).toEqual(view.decisions);
    forge(digest, (document) => {
      document.policyVersion = 'forged';
    });
    await expect(
      h.gateway.getPlan(h.callers.operator.principal, view.planId),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
