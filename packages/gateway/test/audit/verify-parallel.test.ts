import { join } from 'node:path';
import { type LineageEvent, lineageEventHash } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import type { VerifierTrust } from '../../src/audit/trust-anchors.js';
import type { VerificationReport } from '../../src/audit/verification-failure.js';
import { type VerifyLineageOptions, verifyLineage } from '../../src/audit/verify-lineage.js';
import { auditedHarness } from './support.js';
import {
  bodyOf,
  insertEvent,
  lastSeq,
  rewriteAndRechain,
  tamperableCopy,
  writeEvent,
} from './tamper.js';

let databasePath: string;
let trust: VerifierTrust;

beforeAll(async () => {
  const { h, ...anchors } = await auditedHarness();
  trust = anchors.trust;
  await h.close();
  databasePath = join(h.dir, 'gateway.db');
});

/** Ranges of 4 events on 2 threads, from the first event on: small lineages cross many range boundaries. */
const PARALLEL = { threads: 2, parallelFrom: 0, rangeEvents: 4 };

async function verifyFile(path: string, options: Omit<VerifyLineageOptions, 'trust'>) {
  const source = openDatabaseSource(path);
  const progress: number[] = [];
  try {
    const report = await verifyLineage(source, {
      trust,
      ...options,
      onProgress: (d) => progress.push(d),
    });
    return { report, progress };
  } finally {
    source.close();
  }
}

/**
 * Tampers with a copy of the audited database, verifies it serially and in parallel, and returns both reports
 * with the parallel run's progress calls.
 */
async function bothAfter(
  tamper: (db: Database.Database) => void,
  options: Omit<VerifyLineageOptions, 'trust'> = PARALLEL,
): Promise<{ serial: VerificationReport; parallel: VerificationReport; progress: number[] }> {
  const { path, db } = tamperableCopy(databasePath);
  tamper(db);
  db.close();
  const serial = (await verifyFile(path, { threads: 1 })).report;
  const { report: parallel, progress } = await verifyFile(path, options);
  return { serial, parallel, progress };
}

/** Appends `count` valid events after the last one (copies of it, re-numbered, hashed and linked). */
function appendChained(db: Database.Database, count: number, change?: (e: LineageEvent) => void) {
  for (let i = 0; i < count; i += 1) {
    const last = bodyOf(db, lastSeq(db));
    const event = { ...last, seq: last.seq + 1, prevHash: last.hash };
    change?.(event);
    event.hash = lineageEventHash(event);
    insertEvent(db, event);
  }
}

/** Progress of ranges of `width` over `events` events: one call per range, the last with every event. */
function rangeProgress(events: number, width: number): number[] {
  const calls: number[] = [];
  for (let done = width; done < events; done += width) calls.push(done);
  return [...calls, events];
}

describe('verifyLineage on worker threads (ranges of seq, the same report as the serial walk)', () => {
  it('accepts intact lineages of several sizes around range boundaries, with the serial counts and root', async () => {
    for (const [extra, width] of [
      [0, 4],
      [1, 4],
      [3, 8],
      [5, 16],
    ] as const) {
      const { serial, parallel, progress } = await bothAfter((db) => appendChained(db, extra), {
        ...PARALLEL,
        rangeEvents: width,
      });
      expect(serial.ok).toBe(true);
      expect(parallel).toEqual(serial);
      // The ranges were checked on the workers (one progress call per range), not by the serial fallback.
      expect(progress).toEqual(rangeProgress(serial.events, width));
    }
  });

  it('accepts canonical events the fast path leaves to the full check (escapes, non-BMP text)', async () => {
    const { serial, parallel, progress } = await bothAfter((db) =>
      appendChained(db, 6, (e) => {
        e.data = { ...e.data, note: 'say "hi"\n\u{1F600}' };
      }),
    );
    expect(serial.ok).toBe(true);
    expect(parallel).toEqual(serial);
    expect(progress).toEqual(rangeProgress(serial.events, 4));
  });

  it('reports an edit of the first event of the second range as the serial walk does', async () => {
    const { serial, parallel } = await bothAfter((db) => {
      const event = bodyOf(db, 5);
      event.data = { ...event.data, edited: true };
      writeEvent(db, event);
    });
    expect(serial).toMatchObject({ ok: false, failure: { code: 'HASH_MISMATCH', seq: 5 } });
    expect(parallel).toEqual(serial);
  });

  it('reports a link broken exactly at a range boundary, and one inside a range', async () => {
    for (const seq of [9, 10]) {
      const { serial, parallel } = await bothAfter((db) => {
        const event = bodyOf(db, seq);
        event.prevHash = `sha256:${'0'.repeat(64)}`;
        event.hash = lineageEventHash(event);
        writeEvent(db, event);
      });
      expect(serial).toMatchObject({ ok: false, failure: { code: 'CHAIN_BROKEN', seq } });
      expect(parallel).toEqual(serial);
    }
  });

  it('reports a column edited at the end of a range, a deleted first event of a range and a stray seq 0', async () => {
    const tampers: ((db: Database.Database) => void)[] = [
      (db) => db.prepare("update lineage_events set plan_id = 'someone-else' where seq = 8").run(),
      (db) => db.prepare('delete from lineage_events where seq = 13').run(),
      (db) => {
        const first = bodyOf(db, 1);
        insertEvent(db, { ...first, seq: 0 });
      },
    ];
    for (const tamper of tampers) {
      const { serial, parallel } = await bothAfter(tamper);
      expect(serial.ok).toBe(false);
      expect(parallel).toEqual(serial);
    }
  });

  it('reports a re-chained history by the signed root, a cut tail and a missing approval token', async () => {
    const tampers: ((db: Database.Database) => void)[] = [
      (db) =>
        rewriteAndRechain(db, 3, (e) => {
          e.data = { ...e.data, forged: true };
        }),
      (db) => db.prepare('delete from lineage_events where seq > ?').run(lastSeq(db) - 12),
      (db) => db.prepare("delete from payloads where kind = 'ApprovalJws'").run(),
    ];
    for (const tamper of tampers) {
      const { serial, parallel } = await bothAfter(tamper);
      expect(serial.ok).toBe(false);
      expect(parallel).toEqual(serial);
    }
  });

  it('reports a failure in the last range of a larger lineage (events appended past the checkpoints)', async () => {
    const { serial, parallel } = await bothAfter(
      (db) => {
        appendChained(db, 40);
        const event = bodyOf(db, lastSeq(db) - 1);
        event.data = { ...event.data, edited: true };
        writeEvent(db, event);
      },
      { ...PARALLEL, rangeEvents: 8, threads: 3 },
    );
    expect(serial).toMatchObject({ ok: false, failure: { code: 'HASH_MISMATCH' } });
    expect(parallel).toEqual(serial);
  });

  it('refuses a range width that is not a power of two', async () => {
    await expect(bothAfter(() => {}, { ...PARALLEL, rangeEvents: 6 })).rejects.toThrow(RangeError);
  });
});
