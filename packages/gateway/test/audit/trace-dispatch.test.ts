import { afterEach, describe, expect, it } from 'vitest';
import { AuditReader } from '../../src/audit/audit-reader.js';
import { databaseSource } from '../../src/audit/database-source.js';
import { traceLineage } from '../../src/audit/trace.js';
import { renderTrace } from '../../src/audit/trace-report.js';
import { anchorsFromJwks } from '../../src/audit/trust-anchors.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import { approvedPlan } from '../dispatch/dispatch-support.js';
import { scriptedAdapter, throttled } from '../dispatch/scripted-adapter.js';
import { createHarness, type Harness, TENANT } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('trace through a real dispatch', () => {
  it('follows a throttled then successful dispatch back from its receipt, and the lineage verifies', async () => {
    const hubspot = scriptedAdapter('hubspot', { steps: [throttled(30_000)] });
    h = await createHarness({ adapters: [hubspot.adapter] });
    const view = await approvedPlan(h);
    await h.runtime.dispatcher.runDue();
    h.clock.advance(30_000);
    await h.runtime.dispatcher.runDue();

    const reader = new AuditReader(sqliteOf(h.runtime.store));
    const [key] = hubspot.appliedKeys;
    const trace = traceLineage(reader, { idempotencyKey: key ?? '' }, TENANT);
    expect(trace.plan.planId).toBe(view.planId);
    const [dispatch] = trace.dispatches;
    expect(dispatch?.status).toBe('succeeded');
    // The approval that queued the row, then every attempt and its outcome.
    expect(dispatch?.events.map((e) => e.type)).toEqual([
      'approval.accepted',
      'dispatch.attempted',
      'dispatch.failed',
      'dispatch.retry_scheduled',
      'dispatch.attempted',
      'dispatch.succeeded',
    ]);
    // Both attempts left a stored receipt; the row points at the successful one.
    expect(dispatch?.receipts).toHaveLength(2);
    expect(dispatch?.receipts.map((r) => r.digest)).toContain(dispatch?.receiptDigest);
    expect(dispatch?.receipts.every((r) => r.receipt !== undefined)).toBe(true);
    expect(trace.approvals.accepted).toHaveLength(2);
    expect(renderTrace(trace)).toContain('dispatch.succeeded');

    const trust = anchorsFromJwks(
      { keys: [] },
      { keys: [h.keys.finance.publicJwk, h.keys.marketing.publicJwk] },
    );
    const report = await verifyLineage(databaseSource(sqliteOf(h.runtime.store)), { trust });
    expect(report).toMatchObject({ ok: true, approvals: 2, anchored: true });

    // A receipt edited in the database: the verifier names it, the trace refuses to show it.
    const digest = dispatch?.receiptDigest ?? '';
    sqliteOf(h.runtime.store)
      .prepare(
        'update payloads set body = replace(body, \'"succeeded"\', \'"failed"\') where digest = ?',
      )
      .run(digest);
    const forged = await verifyLineage(databaseSource(sqliteOf(h.runtime.store)), { trust });
    expect(forged).toMatchObject({
      ok: false,
      failure: { code: 'DOCUMENT_DIGEST_MISMATCH', digest, kind: 'DispatchReceipt' },
    });
    expect(() => traceLineage(reader, { idempotencyKey: key ?? '' }, TENANT)).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });
});
