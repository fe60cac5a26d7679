import { join } from 'node:path';
import { chainEvents, type LineageEventDraft, type VerificationReport } from '@handoff/lineage';
import { canonicalJson, type LineageEvent } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import type { VerifierTrust } from '../../src/audit/trust-anchors.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import { auditedHarness } from './support.js';
import { tamperableCopy } from './tamper.js';

/**
 * A database written by today's gateway (format 1: one global chain), then migrated as the shared decisions of
 * lineage format 2 say (`id` in insertion order, `seq` per chain, `chain` NULL and `log_index = seq - 1` for the
 * old rows), then format-2 events appended (per plan and per tenant chains, some sequenced into the log, some
 * not yet): the verifier reads both formats in one walk.
 */

let databasePath: string;
let trust: VerifierTrust;
const PLAN = '01JABCDEFGHJKMNPQRSTVWXYZ0';

beforeAll(async () => {
  const { h, ...anchors } = await auditedHarness();
  trust = anchors.trust;
  await h.close();
  databasePath = join(h.dir, 'gateway.db');
});

/**
 * A database as today's format-1 gateway wrote it, then migrated as the shared decisions say: the harness's events
 * (in log order) re-chained into one global chain (format 1, no `chain`), stored with `id` = `seq`, `chain` NULL and
 * `log_index` = `seq` - 1. The harness writes format 2, so its tree heads (over format-2 hashes) are dropped: this
 * test is about the walk over both formats; the migration's own rows and heads are tested with the store.
 */
function migrate(db: Database.Database): void {
  const bodies = db
    .prepare('select body from lineage_events order by log_index')
    .pluck()
    .all() as string[];
  const drafts = bodies.map((body) => {
    const {
      chain: _chain,
      seq: _seq,
      prevHash: _prev,
      hash: _hash,
      ...rest
    } = JSON.parse(body) as LineageEvent;
    return rest as LineageEventDraft;
  });
  const events = chainEvents(undefined, drafts, { format: 1 });
  db.exec('delete from lineage_events; delete from lineage_checkpoints;');
  for (const event of events) {
    db.prepare(
      `insert into lineage_events (id, seq, chain, log_index, tenant_id, plan_id, type, actor_type, actor_id,
       occurred_at, body, prev_hash, hash) values (?, ?, null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      event.seq,
      event.seq,
      event.seq - 1,
      event.tenantId,
      event.planId ?? null,
      event.type,
      event.actor.type,
      event.actor.id,
      Date.parse(event.occurredAt),
      canonicalJson(event),
      event.prevHash,
      event.hash,
    );
  }
}

function draft(type: LineageEventDraft['type'], planId?: string): LineageEventDraft {
  return {
    protocolVersion: '1.0',
    kind: 'LineageEvent',
    occurredAt: '2026-12-07T19:00:00.000Z',
    tenantId: 'acme',
    ...(planId === undefined ? {} : { planId }),
    type,
    actor: { type: 'system', id: 'gateway' },
    refs: {},
    data: { state: 'received' },
  };
}

function append(db: Database.Database, event: LineageEvent, logIndex: number | null): void {
  db.prepare(
    `insert into lineage_events (seq, chain, log_index, tenant_id, plan_id, type, actor_type, actor_id,
     occurred_at, body, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    event.seq,
    event.chain ?? null,
    logIndex,
    event.tenantId,
    event.planId ?? null,
    event.type,
    event.actor.type,
    event.actor.id,
    Date.parse(event.occurredAt),
    JSON.stringify(event),
    event.prevHash,
    event.hash,
  );
}

/** Migrates a copy, appends format-2 events (changed by `tamper`), verifies it. */
async function verifyMigrated(
  tamper: (events: LineageEvent[], logIndexes: (number | null)[]) => void = () => {},
  threads = 1,
): Promise<VerificationReport> {
  const { path, db } = tamperableCopy(databasePath);
  migrate(db);
  const leaves = db.prepare('select count(*) from lineage_events').pluck().get() as number;
  const plan = chainEvents(undefined, [
    draft('plan.received', PLAN),
    draft('approval.refused', PLAN),
  ]);
  const tenant = chainEvents(undefined, [draft('control.paused')]);
  const events = [plan[0], tenant[0], plan[1]] as LineageEvent[];
  const logIndexes = [leaves, leaves + 1, null];
  tamper(events, logIndexes);
  events.forEach((event, i) => {
    append(db, event, logIndexes[i] ?? null);
  });
  db.close();
  const source = await openDatabaseSource(path);
  try {
    return await verifyLineage(source, { trust, threads, parallelFrom: 0 });
  } finally {
    source.close();
  }
}

describe('a migrated database: format-1 events, then format-2 chains', () => {
  it('verifies today’s format-1 events and the per-chain events after them, leaves in log_index order', async () => {
    const report = await verifyMigrated();
    expect(report).toMatchObject({ ok: true, anchored: true });
    const { db } = tamperableCopy(databasePath);
    const before = db.prepare('select count(*) from lineage_events').pluck().get() as number;
    db.close();
    expect(report.events).toBe(before + 3);
  });

  it('finds a format-2 event linked to another chain (CHAIN_BROKEN, named by its chain)', async () => {
    const report = await verifyMigrated((events) => {
      const paused = events[1] as LineageEvent;
      const relinked = chainEvents({ seq: 1, hash: paused.hash }, [
        draft('approval.refused', PLAN),
      ]);
      events[2] = relinked[0] as LineageEvent;
    });
    expect(report.ok).toBe(false);
    if (report.ok) return;
    expect(report.failure).toMatchObject({
      code: 'CHAIN_BROKEN',
      seq: 2,
      chain: `plan:acme/${PLAN}`,
    });
  });

  it('finds a leaf out of log order (LOG_INDEX_GAP) and a format-1 event after format-2 ones', async () => {
    const gap = await verifyMigrated((_events, logIndexes) => {
      logIndexes[1] = (logIndexes[1] as number) + 1;
    });
    expect(gap.ok).toBe(false);
    if (!gap.ok) expect(gap.failure).toMatchObject({ code: 'LOG_INDEX_GAP', chain: 'tenant:acme' });
    const late = await verifyMigrated((events) => {
      const { chain: _chain, ...format1 } = events[1] as LineageEvent;
      events[1] = chainEvents({ seq: 1, hash: format1.prevHash }, [format1], {
        format: 1,
      })[0] as LineageEvent;
    });
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.failure).toMatchObject({ code: 'CHAIN_BROKEN' });
  });

  it('gives the same reports with the chains checked on worker threads', async () => {
    expect(await verifyMigrated(() => {}, 2)).toEqual(await verifyMigrated());
    const edit = (events: LineageEvent[]) => {
      events[2] = { ...(events[2] as LineageEvent), data: { forged: true } };
    };
    const parallel = await verifyMigrated(edit, 2);
    expect(parallel).toEqual(await verifyMigrated(edit));
    expect(parallel.ok ? undefined : parallel.failure).toMatchObject({ code: 'HASH_MISMATCH' });
  });
});
