/**
 * A database a 1.0 gateway wrote stays valid and verifiable after the upgrade to 1.1 (VERSIONING.md, "Documents
 * stored as 1.0"): its lineage events keep `protocolVersion: "1.0"` and their hashes, its plans their digests, and
 * a 1.1 gateway appends 1.1 events to the same chain. The 1.0 gateway is this gateway with the protocol's emitted
 * version mocked to 1.0: what differs between the two is only that constant.
 */
import { join } from 'node:path';
import {
  canonicalJson,
  HANDOFF_PROTOCOL_VERSION,
  type HandoffPlan,
  type LineageEvent,
  PROTOCOL_VERSION_1_0,
  safeParseDocument,
  sha256Digest,
} from '@handoff/protocol';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import type { Harness, HarnessKeys } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';

type HarnessModule = typeof import('../support/harness.js');
type HelpersModule = typeof import('../pipeline/helpers.js');

/** The harness and helpers as a gateway emitting `version` would load them (fresh modules each time). */
async function gatewayEmitting(version: string): Promise<HarnessModule & HelpersModule> {
  vi.resetModules();
  vi.doMock('@handoff/protocol', async (original) => ({
    ...(await original<typeof import('@handoff/protocol')>()),
    HANDOFF_PROTOCOL_VERSION: version,
  }));
  const harness = await import('../support/harness.js');
  const helpers = await import('../pipeline/helpers.js');
  vi.doUnmock('@handoff/protocol');
  return { ...harness, ...helpers };
}

function events(h: Harness): LineageEvent[] {
  return sqliteOf(h.runtime.store)
    .prepare('select body from lineage_events order by id')
    .pluck()
    .all()
    .map((body) => JSON.parse(String(body)) as LineageEvent);
}

const open: Harness[] = [];
afterAll(async () => {
  for (const h of open) await h.close();
});

describe('a database written by a 1.0 gateway, opened by a 1.1 gateway', () => {
  test('keeps its 1.0 events and plans valid; new events chain on in 1.1; the whole lineage verifies', async () => {
    // 1. A 1.0 gateway records a plan (as 1.0 copilots send it) and its evaluation.
    const old = await gatewayEmitting(PROTOCOL_VERSION_1_0);
    const first = await old.createHarness();
    open.push(first);
    const databasePath = join(first.dir, 'gateway.db');
    const keys: HarnessKeys = first.keys;
    const plan10: HandoffPlan = old.planVariant(1);
    expect(plan10.protocolVersion).toBe(PROTOCOL_VERSION_1_0);
    const gated = await first.gateway.submitPlan(first.callers.copilot.principal, plan10);
    const written = events(first);
    expect(written.length).toBeGreaterThan(0);
    expect(new Set(written.map((e) => e.protocolVersion))).toEqual(new Set([PROTOCOL_VERSION_1_0]));
    await first.close();
    open.pop();

    // 2. The same database under the 1.1 gateway (the real constants).
    const current = await gatewayEmitting(HANDOFF_PROTOCOL_VERSION);
    const h = await current.createHarness({ databasePath, keys });
    open.push(h);
    // The stored 1.0 plan is the document received: it hashes to its digest and still validates, as 1.0.
    const stored = sqliteOf(h.runtime.store)
      .prepare('select body from payloads where digest = ?')
      .pluck()
      .get(gated.digest);
    expect(sha256Digest(String(stored))).toBe(gated.digest);
    const reparsed = safeParseDocument('HandoffPlan', JSON.parse(String(stored)));
    expect(reparsed.success && reparsed.data.protocolVersion).toBe(PROTOCOL_VERSION_1_0);
    expect(reparsed.success && canonicalJson(reparsed.data)).toBe(String(stored));

    // An approval of the 1.0 plan, signed over its 1.0 digest, is accepted by the 1.1 gateway.
    const token = await h.sign(gated, { key: keys.finance, sub: 'fiona.finance', role: 'finance' });
    await h.gateway.submitApproval(h.callers.approver.principal, token);
    await h.gateway.submitPlan(h.callers.copilot.principal, current.planVariant(2));
    const all = events(h);
    const appended = all.slice(written.length);
    expect(appended.length).toBeGreaterThan(0);
    expect(new Set(appended.map((e) => e.protocolVersion))).toEqual(
      new Set([HANDOFF_PROTOCOL_VERSION]),
    );
    // Each 1.0 event is stored and parsed as it was written.
    for (const event of all.slice(0, written.length)) {
      expect(safeParseDocument('LineageEvent', event).success).toBe(true);
    }
    expect(all.slice(0, written.length)).toEqual(written);
    expect(appended[0]?.prevHash).toBe(written.at(-1)?.hash);
    await h.close();
    open.pop();

    // 3. The mixed lineage verifies offline: every hash and link, 1.0 events included.
    const source = openDatabaseSource(databasePath);
    try {
      const report = await verifyLineage(source, { trust: 'unanchored' });
      expect(report).toMatchObject({ ok: true, events: all.length });
    } finally {
      source.close();
    }
  });
});
