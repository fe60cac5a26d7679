import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportLine, VerificationReport } from '@handoff/lineage';
import { type LineageEvent, lineageEventHash } from '@handoff/protocol';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportLineageJsonl } from '../../src/audit/export-jsonl.js';
import { openExportSource } from '../../src/audit/export-source.js';
import type { VerifierTrust } from '../../src/audit/trust-anchors.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import { ManualClock } from '../../src/clock.js';
import { openStoreReadOnly } from '../../src/store/open-read-only.js';
import { TENANT } from '../support/harness.js';
import { auditedHarness } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'handoff-export-'));
let complete: string[];
let subset: string[];
let gatedPlanId: string;
let trust: VerifierTrust;
/** The stored bodies and log indexes, in log order (every event of the audited harness is sequenced). */
let bodies: [string, number][];

beforeAll(async () => {
  const { h, planIds, ...anchors } = await auditedHarness();
  gatedPlanId = planIds.gated;
  trust = anchors.trust;
  await h.close();
  const db = new Database(join(h.dir, 'gateway.db'), { readonly: true });
  const clock = new ManualClock('2026-11-30T08:00:00Z');
  const store = await openStoreReadOnly(join(h.dir, 'gateway.db'));
  await exportLineageJsonl(store, join(dir, 'complete.jsonl'), { clock });
  const summary = await exportLineageJsonl(store, join(dir, 'subset.jsonl'), {
    clock,
    filter: { planId: gatedPlanId, tenantId: TENANT },
  });
  expect(summary).toMatchObject({ mode: 'subset', approvalTokens: 2, omitted: 0 });
  bodies = db
    .prepare('select body, log_index from lineage_events order by log_index')
    .raw()
    .all() as [string, number][];
  db.close();
  await store.close();
  complete = readFileSync(join(dir, 'complete.jsonl'), 'utf8').trimEnd().split('\n');
  subset = readFileSync(join(dir, 'subset.jsonl'), 'utf8').trimEnd().split('\n');
});

/** Writes `lines` to a new bundle file and verifies it. */
async function verifyLines(
  lines: readonly string[],
  with_: VerifierTrust = trust,
): Promise<VerificationReport> {
  const file = join(mkdtempSync(join(dir, 'case-')), 'bundle.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const source = await openExportSource(file);
  try {
    return await verifyLineage(source, { trust: with_ });
  } finally {
    source.close();
  }
}

/** The index (0-based) of the line holding event `seq`. */
function lineOf(lines: readonly string[], seq: number): number {
  return lines.findIndex((l) => l.startsWith('{"kind":"event"') && JSON.parse(l).event.seq === seq);
}

function edit(
  lines: readonly string[],
  index: number,
  change: (line: ExportLine) => void,
): string[] {
  const copy = [...lines];
  const line = JSON.parse(copy[index] ?? '{}') as ExportLine;
  change(line);
  copy[index] = JSON.stringify(line);
  return copy;
}

function failureOf(report: VerificationReport) {
  expect(report.ok).toBe(false);
  return report.ok ? undefined : report.failure;
}

describe('an exported bundle verifies alone, and every tamper is located', () => {
  it('a complete bundle: header, keys, both checkpoints, approval tokens, every event', async () => {
    const report = await verifyLines(complete);
    expect(report).toMatchObject({ ok: true, mode: 'complete', checkpoints: 2, approvals: 2 });
    expect(JSON.parse(complete[0] ?? '')).toMatchObject({ kind: 'header', mode: 'complete' });
    for (const line of complete) expect(line).not.toMatch(/"d":/);
  });

  it('writes each event as its stored RFC 8785 body, byte for byte, in log order with its logIndex', () => {
    const events = complete.filter((l) => l.startsWith('{"kind":"event"'));
    expect(bodies.map(([, logIndex]) => logIndex)).toEqual(bodies.map((_, i) => i));
    expect(events).toEqual(
      bodies.map(([body, logIndex]) => `{"kind":"event","event":${body},"logIndex":${logIndex}}`),
    );
    const proved = subset.filter((l) => l.startsWith('{"kind":"event"'));
    expect(proved.length).toBeGreaterThan(0);
    for (const line of proved) {
      const { logIndex, proof } = JSON.parse(line) as { logIndex: number; proof: unknown };
      expect(line).toBe(
        `{"kind":"event","event":${bodies[logIndex]?.[0]},"logIndex":${logIndex},"proof":${JSON.stringify(proof)}}`,
      );
    }
  });

  it('detects an edited event line (HASH_MISMATCH with its line)', async () => {
    const index = lineOf(complete, 4);
    const report = await verifyLines(
      edit(complete, index, (l) => {
        if (l.kind === 'event') l.event.data = { ...l.event.data, edited: 1 };
      }),
    );
    expect(failureOf(report)).toMatchObject({ code: 'HASH_MISMATCH', seq: 4, line: index + 1 });
  });

  it('detects a deleted, a duplicated and two swapped event lines (SEQ_GAP at the seq)', async () => {
    // The gated plan's two approvals: consecutive lines of one chain.
    const at = complete.findIndex((l) => {
      const parsed = JSON.parse(l) as ExportLine;
      return (
        parsed.kind === 'event' &&
        parsed.event.type === 'approval.accepted' &&
        parsed.event.planId === gatedPlanId
      );
    });
    const first = (JSON.parse(complete[at] ?? '') as { event: LineageEvent }).event;
    const next = (JSON.parse(complete[at + 1] ?? '') as { event: LineageEvent }).event;
    expect([next.planId, next.seq]).toEqual([gatedPlanId, first.seq + 1]);
    const chain = `plan:${TENANT}/${gatedPlanId}`;
    const deleted = complete.filter((_, i) => i !== at);
    expect(failureOf(await verifyLines(deleted))).toMatchObject({
      code: 'SEQ_GAP',
      seq: first.seq,
      chain,
      foundSeq: first.seq + 1,
    });
    const inserted = [...complete.slice(0, at), complete[at + 1] ?? '', ...complete.slice(at)];
    expect(failureOf(await verifyLines(inserted))).toMatchObject({
      code: 'SEQ_GAP',
      seq: first.seq,
      chain,
      foundSeq: first.seq + 1,
      line: at + 1,
    });
    const swapped = [...complete];
    [swapped[at], swapped[at + 1]] = [complete[at + 1] ?? '', complete[at] ?? ''];
    expect(failureOf(await verifyLines(swapped))).toMatchObject({
      code: 'SEQ_GAP',
      seq: first.seq,
      chain,
      line: at + 1,
    });
  });

  it('detects a re-hashed, re-chained history by the signed roots', async () => {
    // The gated plan's arrival edited, then every later event of its chain re-hashed and re-linked.
    let lines = [...complete];
    let prevHash: string | undefined;
    for (let i = 0; i < lines.length; i += 1) {
      lines = edit(lines, i, (l) => {
        if (l.kind !== 'event' || l.event.planId !== gatedPlanId) return;
        if (l.event.type === 'plan.received') l.event.data = { ...l.event.data, costMinor: 1 };
        if (prevHash) l.event.prevHash = prevHash as typeof l.event.prevHash;
        l.event.hash = lineageEventHash(l.event);
        prevHash = l.event.hash;
      });
    }
    expect(failureOf(await verifyLines(lines))).toMatchObject({ code: 'CHECKPOINT_ROOT_MISMATCH' });
  });

  it('detects an edited checkpoint, a forged key and a malformed line', async () => {
    const cp = complete.findIndex((l) => l.startsWith('{"kind":"checkpoint"'));
    const root = edit(complete, cp, (l) => {
      if (l.kind === 'checkpoint') l.rootHash = `sha256:${'3'.repeat(64)}`;
    });
    expect(failureOf(await verifyLines(root))).toMatchObject({
      code: 'CHECKPOINT_PAYLOAD_MISMATCH',
      line: cp + 1,
    });
    const keyLine = complete.findIndex((l) => l.includes('"purpose":"checkpoint"'));
    const noKey = complete.filter((_, i) => i !== keyLine);
    // A bundle's own keys matter only unanchored; anchored, a key forged into the bundle is refused.
    expect((await verifyLines(noKey)).ok).toBe(true);
    expect(failureOf(await verifyLines(noKey, 'unanchored'))).toMatchObject({
      code: 'CHECKPOINT_KEY_UNKNOWN',
    });
    const forgedKey = edit(complete, keyLine, (l) => {
      if (l.kind === 'key') l.jwk = { ...l.jwk, x: 'A'.repeat(43) };
    });
    expect(failureOf(await verifyLines(forgedKey))).toMatchObject({
      code: 'CHECKPOINT_KEY_UNTRUSTED',
    });
    const broken = [...complete];
    broken[lineOf(complete, 2)] = '{"kind":"event",';
    expect(failureOf(await verifyLines(broken))).toMatchObject({ code: 'BODY_MALFORMED', seq: 2 });
    expect(failureOf(await verifyLines(['not json', ...complete.slice(1)]))).toMatchObject({
      code: 'EXPORT_MALFORMED',
      line: 1,
    });
  });

  it('a subset bundle proves each event by inclusion in the signed log', async () => {
    const report = await verifyLines(subset);
    expect(report).toMatchObject({ ok: true, mode: 'subset', approvals: 2 });
    const events = subset.filter((l) => l.startsWith('{"kind":"event"')).map((l) => JSON.parse(l));
    expect(report.events).toBe(events.length);
    expect(events.every((l) => l.event.planId === gatedPlanId && l.proof)).toBe(true);
    expect(subset.some((l) => l.startsWith('{"kind":"consistency"'))).toBe(true);
  });

  it('in a subset, a forged event re-hashed correctly fails its inclusion proof', async () => {
    const index = subset.findIndex((l) => l.startsWith('{"kind":"event"'));
    const forged = edit(subset, index, (l) => {
      if (l.kind !== 'event') return;
      l.event.data = { ...l.event.data, costMinor: 1 };
      l.event.hash = lineageEventHash(l.event);
    });
    expect(failureOf(await verifyLines(forged))).toMatchObject({
      code: 'INCLUSION_PROOF_INVALID',
      line: index + 1,
    });
    const consistency = subset.findIndex((l) => l.startsWith('{"kind":"consistency"'));
    const badProof = edit(subset, consistency, (l) => {
      if (l.kind === 'consistency') l.proof = l.proof.map(() => '00'.repeat(32));
    });
    expect(failureOf(await verifyLines(badProof))).toMatchObject({
      code: 'CONSISTENCY_PROOF_INVALID',
    });
  });
});
