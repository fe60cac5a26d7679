import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { exportLineageJsonl } from '../../src/audit/export-jsonl.js';
import { openExportSource } from '../../src/audit/export-source.js';
import { anchorsFromJwks } from '../../src/audit/trust-anchors.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import { openStoreReadOnly } from '../../src/store/open-read-only.js';
import { autoApprovablePlan } from '../pipeline/helpers.js';
import { createHarness } from '../support/harness.js';
import { checkpointKey, sequencerOf } from './support.js';

/**
 * A lineage whose latest events are not sequenced yet (`log_index` NULL): the export writes the sequenced events
 * in log order with their `logIndex`, then the others in insertion order without one; the database and the
 * bundle both verify (every event checked, the unsequenced ones by their chains only).
 */
describe('a lineage with an unsequenced tail', () => {
  it('exports in log_index order, unsequenced events last by id; the database and the bundle verify', async () => {
    const h = await createHarness();
    const key = await checkpointKey('cp-2026-12');
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    await (await sequencerOf(h, key.kid, key)).sequenceAll();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(2));
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(3));
    await h.close();
    const path = join(h.dir, 'gateway.db');
    const trust = { checkpoint: { keys: [key.publicJwk] }, approver: { keys: [] } };

    const db = new Database(path, { readonly: true });
    const rows = db
      .prepare('select id, log_index, body from lineage_events order by id')
      .raw()
      .all() as [number, number | null, string][];
    const sequenced = rows.filter((r) => r.at(1) !== null);
    const pending = rows.filter((r) => r.at(1) === null);
    expect(sequenced.length).toBeGreaterThan(0);
    expect(pending.length).toBeGreaterThan(0);
    const file = join(mkdtempSync(join(tmpdir(), 'handoff-order-')), 'bundle.jsonl');
    db.close();
    const store = await openStoreReadOnly(path);
    await exportLineageJsonl(store, file);
    await store.close();
    const lines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('{"kind":"event"'));
    const expected = [
      ...[...sequenced]
        .sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0))
        .map(([, logIndex, body]) => `{"kind":"event","event":${body},"logIndex":${logIndex}}`),
      ...pending.map(([, , body]) => `{"kind":"event","event":${body}}`),
    ];
    expect(lines).toEqual(expected);

    const anchors = anchorsFromJwks(trust.checkpoint, trust.approver);
    for (const source of [await openDatabaseSource(path), await openExportSource(file)]) {
      try {
        expect(await verifyLineage(source, { trust: anchors })).toMatchObject({
          ok: true,
          events: rows.length,
        });
      } finally {
        source.close();
      }
    }
  });
});
