import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import type { LedgerLine } from '../../src/store/store.js';
import { ledgerLine, T0, TENANT_ID, tempDatabase } from './fixtures.js';

let db: ReturnType<typeof tempDatabase> | undefined;
afterEach(async () => {
  await db?.cleanup();
  db = undefined;
});

/**
 * What `usedBudget` must equal: every committed line plus every reservation not yet released or committed, summed.
 * A reservation's `expires_at` does not matter: it never lapses by time (its plan may still be dispatching).
 */
const FULL_SCAN = `SELECT COALESCE(SUM(amount_minor), 0) AS total FROM budget_ledger
  WHERE tenant_id = ? AND cap_id = ? AND period_key = ? AND status IN ('committed', 'reserved')`;

type Step =
  | { kind: 'reserve'; plan: number; amount: number; period: number; lapsesAfter: number }
  | { kind: 'commit_actual'; plan: number; amount: number; period: number }
  | { kind: 'settle'; plan: number; to: 'committed' | 'released' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('reserve' as const),
    plan: fc.nat(5),
    amount: fc.integer({ min: 1, max: 10 ** 9 }),
    period: fc.nat(1),
    lapsesAfter: fc.integer({ min: -5, max: 5 }),
  }),
  fc.record({
    kind: fc.constant('commit_actual' as const),
    plan: fc.nat(5),
    amount: fc.integer({ min: 1, max: 10 ** 9 }),
    period: fc.nat(1),
  }),
  fc.record({
    kind: fc.constant('settle' as const),
    plan: fc.nat(5),
    to: fc.constantFrom('committed' as const, 'released' as const),
  }),
);

describe('usedBudget (committed total kept by triggers + live reservations)', () => {
  test('equals a full scan of the ledger after any sequence of reservations, commits and releases', async () => {
    db = tempDatabase();
    const store = db.open();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        round += 1;
        const tenantId = `tenant-${round}`;
        const line = (plan: number, amount: number, period: number): LedgerLine => ({
          ...ledgerLine(`p${round}-${plan}`, amount),
          tenantId,
          periodKey: `month:2026-1${period}`,
        });
        await store.transaction(async (tx) => {
          for (const s of steps) {
            if (s.kind === 'reserve') {
              await tx.insertLedger([
                { ...line(s.plan, s.amount, s.period), expiresAt: T0 + s.lapsesAfter },
              ]);
            } else if (s.kind === 'commit_actual') {
              await tx.insertLedger([
                { ...line(s.plan, s.amount, s.period), status: 'committed', expiresAt: null },
              ]);
            } else {
              await tx.settleLedger(tenantId, `p${round}-${s.plan}`, s.to, T0);
            }
          }
        });
        const scan = store.sqlite.prepare(FULL_SCAN);
        for (const period of ['month:2026-10', 'month:2026-11']) {
          const expected = (scan.get(tenantId, 'tenant-month', period) as { total: number }).total;
          const used = await store.transaction((tx) =>
            tx.usedBudget(tenantId, 'tenant-month', period, T0),
          );
          expect(used).toBe(BigInt(expected));
        }
      }),
      { numRuns: 60 },
    );
  });

  test('a rolled-back commit leaves the committed total as it was', async () => {
    db = tempDatabase();
    const store = db.open();
    await store.transaction((tx) => tx.insertLedger([ledgerLine('a', 500)]));
    await expect(
      store.transaction(async (tx) => {
        await tx.settleLedger(TENANT_ID, 'a', 'committed', T0);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const usage = store.sqlite.prepare('SELECT committed_minor AS c FROM budget_usage').all();
    expect(usage.every((row) => (row as { c: number }).c === 0)).toBe(true);
    const used = await store.transaction((tx) =>
      tx.usedBudget('acme-bank', 'tenant-month', 'month:2026-11', T0),
    );
    expect(used).toBe(500n);
  });
});
