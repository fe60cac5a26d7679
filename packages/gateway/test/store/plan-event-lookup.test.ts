import Database from 'better-sqlite3';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { draft, tempDatabase } from './fixtures.js';

/**
 * A plan's events of one type (`lastPlanEvent`, `planEvents`: an approval reads its plan's `plan.received` and
 * looks for a format-1 `plan.provenance_verified`) are found through the plan's own index entries, never by
 * walking every event of the tenant: without statistics SQLite may pick `lineage_tenant` (it gives `id` order
 * too), which made each approval read the whole tenant's lineage for a type its plan never recorded.
 */

const PLAN = '019a8f2e-5c4b-7d3e-9a1f-00000000000a';

let db: ReturnType<typeof tempDatabase>;
afterEach(async () => {
  vi.restoreAllMocks();
  await db?.cleanup();
});

describe('plan event lookup', () => {
  test('a plan event of a type is searched through lineage_plan, and found', async () => {
    const prepared: string[] = [];
    const prepare = Database.prototype.prepare;
    vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (
      this: Database.Database,
      source: string,
    ) {
      prepared.push(source);
      return prepare.call(this, source);
    });
    db = tempDatabase();
    const store = db.open();
    await store.transaction((tx) => tx.appendLineage([draft(0, PLAN), draft(1, undefined)]));
    const lookups = prepared.filter(
      (s) => /from "lineage_events"/.test(s) && /"lineage_events"."type" = \?/.test(s),
    );
    expect(lookups.length).toBe(2);
    const reader = new Database(db.path, { readonly: true });
    try {
      for (const source of lookups) {
        const plan = reader
          .prepare(`explain query plan ${source}`)
          .all(PLAN, 'acme-bank', 'plan.received', ...(/limit \?/.test(source) ? [1] : [])) as {
          detail: string;
        }[];
        expect(plan.map((row) => row.detail)).toEqual([
          'SEARCH lineage_events USING INDEX lineage_plan (plan_id=?)',
        ]);
      }
    } finally {
      reader.close();
    }
    const found = await store.transaction((tx) =>
      tx.lastPlanEvent('acme-bank', PLAN, draft(0, PLAN).type),
    );
    expect(found?.planId).toBe(PLAN);
    const none = await store.transaction((tx) =>
      tx.lastPlanEvent('acme-bank', PLAN, 'plan.provenance_verified'),
    );
    expect(none).toBeUndefined();
  });
});
