import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VerificationReport } from '@handoff/lineage';
import { canonicalJson, lineageEventHash as lineageHash } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { anchorsFromJwks, type VerifierTrust } from '../../src/audit/trust-anchors.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import { auditedHarness } from './support.js';
import {
  bodyOf,
  forgeHistory,
  insertEvent,
  lastSeq,
  locationOf,
  rewriteAndRechain,
  rowOf,
  tamperableCopy,
  writeEvent,
} from './tamper.js';

let databasePath: string;
let gatedPlanId: string;
let cancelledPlanId: string;
let trust: VerifierTrust;
let jwks: Awaited<ReturnType<typeof auditedHarness>>['jwks'];

beforeAll(async () => {
  const { h, planIds, ...anchors } = await auditedHarness();
  gatedPlanId = planIds.gated;
  cancelledPlanId = planIds.cancelled;
  trust = anchors.trust;
  jwks = anchors.jwks;
  await h.close();
  databasePath = join(h.dir, 'gateway.db');
});

/**
 * Tampers with a copy of the audited database, then verifies the copy offline against the auditor's trust
 * anchors (or `with` others, or `'unanchored'`).
 */
async function verifyAfter(
  tamper: (db: Database.Database) => void | Promise<void>,
  with_: VerifierTrust = trust,
): Promise<VerificationReport> {
  const { path, db } = tamperableCopy(databasePath);
  await tamper(db);
  db.close();
  const source = await openDatabaseSource(path);
  try {
    return await verifyLineage(source, { trust: with_ });
  } finally {
    source.close();
  }
}

function failureOf(report: VerificationReport) {
  expect(report.ok).toBe(false);
  return report.ok ? undefined : report.failure;
}

/** The row id of the first event of `type` (optionally of a plan). */
function idOf(db: Database.Database, type: string, planId?: string): number {
  return db
    .prepare(`select min(id) from lineage_events where type = ? ${planId ? 'and plan_id = ?' : ''}`)
    .pluck()
    .get(...(planId ? [type, planId] : [type])) as number;
}

describe('verifyLineage on a database file (offline, read-only)', () => {
  it('accepts the untouched lineage: hashes, chain, both checkpoints (rotated keys) and approvals', async () => {
    const report = await verifyAfter(() => {});
    expect(report).toMatchObject({
      ok: true,
      checkpoints: 2,
      approvals: 2,
      mode: 'complete',
      anchored: true,
    });
    // Plans and the policy set (stored once; evaluations are recorded in plan.received): every stored document
    // but the approval tokens.
    expect(report.documents).toBeGreaterThanOrEqual(4);
    expect(report.events).toBeGreaterThan(10);
    expect(report.rootHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('detects an edited event body (HASH_MISMATCH at its seq)', async () => {
    let at = {};
    const report = await verifyAfter((db) => {
      at = locationOf(db, 5);
      const event = bodyOf(db, 5);
      event.data = { ...event.data, edited: true };
      writeEvent(db, event);
    });
    expect(failureOf(report)).toMatchObject({ code: 'HASH_MISMATCH', ...at });
  });

  it('detects an edited index column the hash does not cover (COLUMN_MISMATCH with the field)', async () => {
    let at = {};
    const report = await verifyAfter((db) => {
      at = locationOf(db, 7);
      db.prepare("update lineage_events set plan_id = 'someone-else' where id = 7").run();
    });
    expect(failureOf(report)).toMatchObject({ code: 'COLUMN_MISMATCH', ...at, field: 'plan_id' });
  });

  it('detects an event re-hashed after an edit (CHAIN_BROKEN at the next seq)', async () => {
    let at = { seq: 0 };
    const report = await verifyAfter((db) => {
      // The cancelled plan's arrival: its chain goes on (the cancellation) within the same batch, so the broken
      // link is reached before the batch's signed root.
      const id = idOf(db, 'plan.received', cancelledPlanId);
      at = locationOf(db, id);
      const event = bodyOf(db, id);
      event.data = { ...event.data, costMinor: 1 };
      event.hash = lineageHash(event);
      writeEvent(db, event);
    });
    expect(failureOf(report)).toMatchObject({ code: 'CHAIN_BROKEN', ...at, seq: at.seq + 1 });
  });

  it('detects a whole re-chained history by the signed root (CHECKPOINT_ROOT_MISMATCH)', async () => {
    let firstCheckpoint = 0;
    const report = await verifyAfter((db) => {
      firstCheckpoint = db
        .prepare('select min(tree_size) from lineage_checkpoints')
        .pluck()
        .get() as number;
      rewriteAndRechain(db, 3, (event) => {
        event.data = { ...event.data, costMinor: 1 };
      });
    });
    expect(failureOf(report)).toMatchObject({
      code: 'CHECKPOINT_ROOT_MISMATCH',
      seq: firstCheckpoint,
      treeSize: firstCheckpoint,
    });
  });

  it('detects a deleted event (SEQ_GAP at the missing seq)', async () => {
    let at = { seq: 0 };
    const report = await verifyAfter((db) => {
      // The gated plan's first approval: its chain goes on (the second approval).
      const id = idOf(db, 'approval.accepted', gatedPlanId);
      at = locationOf(db, id);
      db.prepare('delete from lineage_events where id = ?').run(id);
    });
    expect(failureOf(report)).toMatchObject({
      code: 'SEQ_GAP',
      ...at,
      expectedSeq: at.seq,
      foundSeq: at.seq + 1,
    });
  });

  it('detects a cut tail by the checkpoints (CHECKPOINT_BEYOND_LOG)', async () => {
    let cut = 0;
    const report = await verifyAfter((db) => {
      cut =
        (db.prepare('select max(tree_size) from lineage_checkpoints').pluck().get() as number) - 2;
      db.prepare('delete from lineage_events where log_index >= ? or log_index is null').run(cut);
    });
    expect(failureOf(report)).toMatchObject({ code: 'CHECKPOINT_BEYOND_LOG', seq: cut + 1 });
  });

  it('detects reordered events (swapped seq: COLUMN_MISMATCH on seq at the first)', async () => {
    let at = { seq: 0 };
    const report = await verifyAfter((db) => {
      // The gated plan's two approvals, next to each other in its chain, swap their seq columns.
      const first = idOf(db, 'approval.accepted', gatedPlanId);
      at = locationOf(db, first);
      const second = rowOf(db, { ...bodyOf(db, first), seq: at.seq + 1 });
      db.prepare('update lineage_events set seq = ? where id = ?').run(at.seq + 1, first);
      db.prepare('update lineage_events set seq = ? where id = ?').run(at.seq, second);
    });
    // Found at the first row in log order, located by the seq its column claims.
    expect(failureOf(report)).toMatchObject({
      code: 'COLUMN_MISMATCH',
      ...at,
      seq: at.seq + 1,
      field: 'seq',
    });
  });

  it('detects events moved into the seq of one another, renumbered (HASH_MISMATCH at the first)', async () => {
    let at = { seq: 0 };
    const report = await verifyAfter((db) => {
      const first = idOf(db, 'approval.accepted', gatedPlanId);
      at = locationOf(db, first);
      const a = bodyOf(db, first);
      const second = rowOf(db, { ...a, seq: a.seq + 1 });
      const b = bodyOf(db, second);
      const leaf = (id: number) =>
        db.prepare('select log_index from lineage_events where id = ?').pluck().get(id) as number;
      const [leafA, leafB] = [leaf(first), leaf(second)];
      db.prepare('delete from lineage_events where id in (?, ?)').run(first, second);
      insertEvent(db, { ...b, seq: a.seq, hash: b.hash }, { logIndex: leafA, id: first });
      insertEvent(db, { ...a, seq: b.seq }, { logIndex: leafB, id: second });
    });
    expect(failureOf(report)).toMatchObject({ code: 'HASH_MISMATCH', ...at });
  });

  it('detects an inserted event, even one hashed and linked correctly (at the insertion point)', async () => {
    let at = { seq: 0 };
    const report = await verifyAfter((db) => {
      // After the gated plan's first approval: the later events of its chain renumbered, a forged one inserted.
      const first = idOf(db, 'approval.accepted', gatedPlanId);
      at = locationOf(db, first);
      const previous = bodyOf(db, first);
      const next = bodyOf(db, rowOf(db, { ...previous, seq: previous.seq + 1 }));
      db.prepare(
        'update lineage_events set seq = seq + 1 where tenant_id = ? and plan_id = ? and chain is ? and seq > ?',
      ).run(previous.tenantId, previous.planId ?? null, previous.chain ?? null, previous.seq);
      const forged = { ...next, seq: previous.seq + 1, prevHash: previous.hash };
      forged.data = { forged: true };
      forged.hash = lineageHash(forged);
      insertEvent(db, forged);
    });
    // The renumbered successor is reached first (the forged row has no leaf yet), by the seq its column claims.
    expect(failureOf(report)).toMatchObject({
      code: 'COLUMN_MISMATCH',
      ...at,
      seq: at.seq + 2,
      field: 'seq',
    });
  });

  it('detects a forged approval record (APPROVAL_CLAIMS_MISMATCH with the field)', async () => {
    const report = await verifyAfter((db) => {
      db.prepare(
        "update approvals set approver = 'mallory' where approver = 'fiona.finance'",
      ).run();
    });
    const failure = failureOf(report);
    expect(failure).toMatchObject({
      code: 'APPROVAL_CLAIMS_MISMATCH',
      field: 'approvals.approver',
    });
    let end = 0;
    const invented = await verifyAfter((db) => {
      end = lastSeq(db) + 1;
      db.prepare(`insert into approvals select 'invented-jti', plan_id, option_id, 'mallory', role,
        decision, kid, 'sha256:${'2'.repeat(64)}', max_spend_minor, currency, received_at, tenant_id
        from approvals limit 1`).run();
    });
    expect(failureOf(invented)).toMatchObject({
      code: 'APPROVAL_CLAIMS_MISMATCH',
      field: 'approvals',
      seq: end,
    });
  });

  it('detects a replaced, missing or unverifiable approval token, at its approval.accepted seq', async () => {
    let seq = 0;
    const swapped = await verifyAfter((db) => {
      seq = locationOf(db, idOf(db, 'approval.accepted', gatedPlanId)).seq;
      db.prepare("update payloads set body = body || 'x' where kind = 'ApprovalJws'").run();
    });
    expect(failureOf(swapped)).toMatchObject({ code: 'APPROVAL_DIGEST_MISMATCH', seq });
    const missing = await verifyAfter((db) => {
      db.prepare("delete from payloads where kind = 'ApprovalJws'").run();
    });
    expect(failureOf(missing)).toMatchObject({ code: 'APPROVAL_TOKEN_MISSING', seq });
    // Anchored, the recorded keys are not needed (the trusted ones verify); unanchored they are all there is.
    const noRecord = (db: Database.Database) => {
      db.prepare("delete from keys where purpose = 'approver'").run();
    };
    expect((await verifyAfter(noRecord)).ok).toBe(true);
    const unknownKey = await verifyAfter(noRecord, 'unanchored');
    expect(failureOf(unknownKey)).toMatchObject({ code: 'APPROVAL_KEY_UNKNOWN', seq });
    const replaceKey = (db: Database.Database) => {
      const rows = db.prepare("select kid, jwk from keys where purpose = 'approver'").all() as {
        kid: string;
        jwk: string;
      }[];
      // Each approver's recorded key replaced by another of the same kind: the signatures no longer verify.
      const ed = rows.find((k) => k.jwk.includes('Ed25519'));
      const forged = { ...JSON.parse(ed?.jwk ?? '{}'), x: 'A'.repeat(43) };
      db.prepare('update keys set jwk = ? where kid = ?').run(JSON.stringify(forged), ed?.kid);
    };
    // Anchored: the recorded key of that kid is not the trusted key material (same kid, other thumbprint).
    expect(failureOf(await verifyAfter(replaceKey))).toMatchObject({
      code: 'APPROVAL_KEY_UNTRUSTED',
    });
    const otherKey = await verifyAfter(replaceKey, 'unanchored');
    expect(failureOf(otherKey)).toMatchObject({ code: 'APPROVAL_SIGNATURE_INVALID' });
    // Anchors without the approvers' keys trust no approval.
    const noApprovers = anchorsFromJwks(jwks.checkpoint, { keys: [] });
    expect(failureOf(await verifyAfter(() => {}, noApprovers))).toMatchObject({
      code: 'APPROVAL_KEY_UNTRUSTED',
      seq,
    });
  });

  it('detects tampered checkpoints: stored root, signature, key', async () => {
    const root = await verifyAfter((db) => {
      db.prepare(`update lineage_checkpoints set root_hash = ? where tree_size =
        (select min(tree_size) from lineage_checkpoints)`).run(`sha256:${'1'.repeat(64)}`);
    });
    expect(failureOf(root)).toMatchObject({
      code: 'CHECKPOINT_PAYLOAD_MISMATCH',
      field: 'rootHash',
    });
    const signature = await verifyAfter((db) => {
      db.prepare("update lineage_checkpoints set signature = signature || 'A'").run();
    });
    expect(failureOf(signature)).toMatchObject({ code: 'CHECKPOINT_SIGNATURE_INVALID' });
    const key = await verifyAfter((db) => {
      db.prepare("delete from keys where purpose = 'checkpoint' and kid = 'cp-2026-12'").run();
    }, 'unanchored');
    expect(failureOf(key)).toMatchObject({ code: 'CHECKPOINT_KEY_UNKNOWN', kid: 'cp-2026-12' });
    // Anchors that do not include the rotated key do not trust what it signed.
    const onlyNovember = anchorsFromJwks(
      { keys: jwks.checkpoint.keys.filter((k) => k.kid === 'cp-2026-11') },
      jwks.approver,
    );
    expect(failureOf(await verifyAfter(() => {}, onlyNovember))).toMatchObject({
      code: 'CHECKPOINT_KEY_UNTRUSTED',
      kid: 'cp-2026-12',
    });
    // A deleted tree head: format 2 writes no `checkpoint.signed` event naming it (CHECKPOINT_MISSING applies to
    // format-1 lineages), so only a copy kept outside the database tells; see witness.test.ts (`--against`).
  });

  it('refuses a history re-signed with a new key under the same kid only when anchored (observation 7)', async () => {
    const forge = (db: Database.Database) =>
      forgeHistory(
        db,
        3,
        (event) => {
          event.data = { ...event.data, costMinor: 1 };
        },
        'gw-test',
      );
    const anchored = failureOf(await verifyAfter(forge));
    expect(anchored).toMatchObject({ code: 'CHECKPOINT_KEY_UNTRUSTED', kid: 'cp-2026-11' });
    // What the verifier said before it had anchors: the file vouches for itself.
    expect(await verifyAfter(forge, 'unanchored')).toMatchObject({ ok: true, anchored: false });
  });

  it('re-hashes stored documents: an edited plan or policy set at the first event naming it', async () => {
    let named = 0;
    let digest = '';
    const plan = await verifyAfter((db) => {
      digest = db
        .prepare('select digest from plans where plan_id = ?')
        .pluck()
        .get(gatedPlanId) as string;
      named = locationOf(db, idOf(db, 'plan.received', gatedPlanId)).seq;
      const body = db.prepare('select body from payloads where digest = ?').pluck().get(digest);
      // Still RFC 8785 text, one figure changed.
      const forged = String(body).replace(/"amountMinor":(\d+)/, '"amountMinor":1');
      expect(forged).not.toBe(body);
      db.prepare('update payloads set body = ? where digest = ?').run(forged, digest);
    });
    expect(failureOf(plan)).toMatchObject({
      code: 'DOCUMENT_DIGEST_MISMATCH',
      seq: named,
      digest,
      kind: 'HandoffPlan',
    });
    for (const kind of ['PolicySet']) {
      const report = await verifyAfter((db) => {
        const row = db
          .prepare('select digest, body from payloads where kind = ? limit 1')
          .get(kind) as { digest: string; body: string };
        const forged = canonicalJson({ ...JSON.parse(row.body), forged: true });
        db.prepare('update payloads set body = ? where digest = ?').run(forged, row.digest);
      });
      expect(failureOf(report)).toMatchObject({ code: 'DOCUMENT_DIGEST_MISMATCH', kind });
    }
    // The same document in another JSON rendering is the same document (the digest is of its RFC 8785 form).
    const reformatted = await verifyAfter((db) => {
      db.prepare("update payloads set body = ' ' || body || '\n' where kind = 'HandoffPlan'").run();
    });
    expect(reformatted.ok).toBe(true);
  });

  it('verifies every event by parsing it: a body with escapes appended after the last checkpoint holds', async () => {
    const report = await verifyAfter(() => {});
    expect(report.ok).toBe(true);
    const appended = await verifyAfter((db) => {
      const last = bodyOf(db, lastSeq(db));
      const event = {
        ...last,
        seq: last.seq + 1,
        prevHash: last.hash,
        type: 'control.paused' as const,
        refs: {},
        data: { note: 'a "quoted"\nline' },
      };
      event.hash = lineageHash(event);
      insertEvent(db, event);
    });
    expect(appended).toMatchObject({ ok: true, events: report.events + 1 });
  });

  it('detects a non-canonical body even with a hash over its own bytes (HASH_MISMATCH)', async () => {
    const report = await verifyAfter((db) => {
      const text = db
        .prepare('select body from lineage_events where seq = 5')
        .pluck()
        .get() as string;
      const unsigned = text
        .replace(/,"hash":"sha256:[0-9a-f]{64}"/, '')
        .replace('{"actor":', '{ "actor":');
      const hash = `sha256:${createHash('sha256').update(unsigned).digest('hex')}`;
      const body = unsigned.replace(',"kind":', `,"hash":"${hash}","kind":`);
      db.prepare('update lineage_events set body = ?, hash = ? where seq = 5').run(body, hash);
    });
    expect(failureOf(report)).toMatchObject({ code: 'HASH_MISMATCH', seq: 5 });
  });

  it('opens the file read-only: verifying leaves it byte for byte as it was', async () => {
    const { path, db } = tamperableCopy(databasePath);
    db.close();
    const digest = () => createHash('sha256').update(readFileSync(path)).digest('hex');
    const before = digest();
    const source = await openDatabaseSource(path);
    expect((await verifyLineage(source, { trust })).ok).toBe(true);
    source.close();
    expect(digest()).toBe(before);
  });
});
