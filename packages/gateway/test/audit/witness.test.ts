import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VerificationReport } from '@handoff/lineage';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { exportLineageJsonl } from '../../src/audit/export-jsonl.js';
import { openExportSource } from '../../src/audit/export-source.js';
import type { LineageSource } from '../../src/audit/lineage-source.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { anchorsFromJwks, type VerifierTrust } from '../../src/audit/trust-anchors.js';
import { verifyLineageAgainst } from '../../src/audit/verify-witness.js';
import { WitnessFile, type WitnessLine } from '../../src/audit/witness-file.js';
import { ManualClock } from '../../src/clock.js';
import { autoApprovablePlan, expectGatewayError, planVariant } from '../pipeline/helpers.js';
import { createHarness, GATEWAY_ID, type Harness } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { checkpointKey } from './support.js';
import { forgeHistory, lastSeq } from './tamper.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** A harness whose checkpointer also writes `witness.jsonl`: two plans, a checkpoint after each. */
async function witnessed() {
  h = await createHarness();
  const key = await checkpointKey('cp-w');
  const witnessPath = join(h.dir, 'witness.jsonl');
  const witness = new WitnessFile(witnessPath);
  const checkpointer = new Sequencer(h.runtime.store, {
    key,
    gatewayId: GATEWAY_ID,
    clock: h.clock,
    witness,
  });
  const { copilot } = h.callers;
  await h.gateway.submitPlan(copilot.principal, autoApprovablePlan(1));
  const first = await checkpointer.sequenceAll();
  const snapshot = join(h.dir, 'after-first.db');
  sqliteOf(h.runtime.store).exec(`vacuum into '${snapshot}'`);
  h.clock.advance(60_000);
  await h.gateway.submitPlan(copilot.principal, planVariant(2));
  const second = await checkpointer.sequenceAll();
  const trust = anchorsFromJwks({ keys: [key.publicJwk] }, { keys: [] });
  return { witness, witnessPath, snapshot, first, second, trust, checkpointer };
}

async function against(
  source: LineageSource,
  witnessText: string,
  trust: VerifierTrust,
): Promise<VerificationReport> {
  try {
    return await verifyLineageAgainst(source, witnessText, { trust });
  } finally {
    source.close();
  }
}

/** The harness's live database file (WAL: readers see what was committed). */
const dbPath = () => join(h.dir, 'gateway.db');

/** A consistent copy of the live database, opened read-write to tamper with as an attacker would. */
function copyOf(name: string): { path: string; db: Database.Database } {
  const path = join(h.dir, name);
  sqliteOf(h.runtime.store).exec(`vacuum into '${path}'`);
  return { path, db: new Database(path) };
}

const codes = (r: VerificationReport) => r.witness?.failures.map((f) => f.code);

describe('witness file of signed tree heads', () => {
  it('appends one line per checkpoint: the JWS and its readable size, root, time and kid', async () => {
    const { witnessPath, first, second, witness } = await witnessed();
    const lines = readFileSync(witnessPath, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as WitnessLine)).toEqual(
      [first, second].map((r) => ({
        kind: 'LineageTreeHead',
        treeSize: r?.treeSize,
        rootHash: r?.rootHash,
        signedAt: new Date(r?.signedAt ?? 0).toISOString(),
        kid: 'cp-w',
        jws: r?.signature,
      })),
    );
    expect(witness.health()).toMatchObject({
      status: 'ok',
      failedWrites: 0,
      lastTreeSize: second?.treeSize,
    });
  });

  it('fails the batch when the witness cannot be written: head stored, health failing, then the witness catches up', async () => {
    h = await createHarness();
    const dir = join(h.dir, 'not-yet');
    const witness = new WitnessFile(join(dir, 'witness.jsonl'));
    const checkpointer = new Sequencer(h.runtime.store, {
      key: await checkpointKey('cp-w'),
      gatewayId: GATEWAY_ID,
      clock: h.clock,
      witness,
    });
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const events = lastSeq(sqliteOf(h.runtime.store));
    await expectGatewayError(checkpointer.sequenceAll(), 'INTERNAL');
    // The sequencer commits the batch and its head first, then appends to the witness (see Sequencer): the head
    // is stored, every event sequenced once (with the kid's control.key_registered, which joins the batch that
    // first signs with it), and the witness lacks it until the next call.
    const sequenced = lastSeq(sqliteOf(h.runtime.store));
    expect(sequenced).toBe(events + 1);
    expect(
      sqliteOf(h.runtime.store).prepare('select tree_size from lineage_checkpoints').pluck().all(),
    ).toEqual([sequenced]);
    expect(
      sqliteOf(h.runtime.store)
        .prepare('select count(*) from lineage_events where log_index is null')
        .pluck()
        .get(),
    ).toBe(0);
    expect(witness.health()).toEqual({
      status: 'failing',
      file: join(dir, 'witness.jsonl'),
      lastTreeSize: 0,
      failedWrites: 1,
      lastError: 'ENOENT',
    });
    mkdirSync(dir);
    // Nothing new to sequence: the next call appends the stored head the witness lacks.
    expect(await checkpointer.sequenceAll()).toBeUndefined();
    expect(witness.health()).toMatchObject({
      status: 'ok',
      failedWrites: 1,
      lastTreeSize: sequenced,
    });
    expect(
      readFileSync(join(dir, 'witness.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).treeSize),
    ).toEqual([sequenced]);
    expect(witness.health()).not.toHaveProperty('lastError');
  });
});

describe('verifyLineageAgainst', () => {
  it('accepts the honest database, and a complete export of it, against the witness file', async () => {
    const { witnessPath, trust } = await witnessed();
    const text = readFileSync(witnessPath, 'utf8');
    const report = await against(openDatabaseSource(dbPath()), text, trust);
    expect(report).toMatchObject({ ok: true, witness: { heads: 2, failures: [] } });
    const out = join(h.dir, 'export.jsonl');
    const db = new Database(dbPath(), { readonly: true });
    await exportLineageJsonl(db, out, { clock: new ManualClock('2026-12-01T00:00:00Z') });
    db.close();
    expect(await against(await openExportSource(out), text, trust)).toMatchObject({ ok: true });
  });

  it('detects a deleted tail and a database rolled back past a witnessed head', async () => {
    const { witnessPath, snapshot, first, trust } = await witnessed();
    const text = readFileSync(witnessPath, 'utf8');
    // The careful cut: back to the first tree head (format 2 writes no checkpoint events), the later head removed
    // too, so the database holds together on its own; only the witness remembers the second head.
    const kept = first?.treeSize ?? 0;
    const { path, db } = copyOf('cut.db');
    db.prepare('delete from lineage_events where log_index >= ? or log_index is null').run(kept);
    db.prepare('delete from lineage_checkpoints where tree_size > ?').run(kept);
    db.close();
    const cut = await against(openDatabaseSource(path), text, trust);
    expect(cut).toMatchObject({
      ok: false,
      failure: { code: 'WITNESS_TREE_TRUNCATED', witnessLine: 2, seq: kept + 1, events: kept },
      checkpoints: 1,
    });
    expect(codes(cut)).toEqual(['WITNESS_TREE_TRUNCATED']);
    const rolledBack = await against(openDatabaseSource(snapshot), text, trust);
    expect(rolledBack.ok).toBe(false);
    expect(codes(rolledBack)).toEqual(['WITNESS_TREE_TRUNCATED']);
  });

  it('detects history rewritten and re-signed under a new key (WITNESS_ROOT_MISMATCH)', async () => {
    const { witnessPath, trust } = await witnessed();
    const { path, db } = copyOf('tampered.db');
    await forgeHistory(
      db,
      3,
      (e) => Object.assign(e, { occurredAt: '2026-01-01T00:00:00.000Z' }),
      GATEWAY_ID,
    );
    db.close();
    const report = await against(
      openDatabaseSource(path),
      readFileSync(witnessPath, 'utf8'),
      trust,
    );
    expect(codes(report)).toEqual(['WITNESS_ROOT_MISMATCH', 'WITNESS_ROOT_MISMATCH']);
  });

  it('refuses heads by an untrusted key, unanchored trust, damaged and out-of-order lines', async () => {
    const { witnessPath, trust } = await witnessed();
    const path = dbPath();
    const [one, two] = readFileSync(witnessPath, 'utf8').trim().split('\n') as [string, string];
    const otherKid = anchorsFromJwks(
      { keys: [(await checkpointKey('cp-x')).publicJwk] },
      { keys: [] },
    );
    const sameKid = anchorsFromJwks(
      { keys: [(await checkpointKey('cp-w')).publicJwk] },
      { keys: [] },
    );
    expect(codes(await against(openDatabaseSource(path), `${one}\n`, sameKid))).toEqual([
      'WITNESS_SIGNATURE_INVALID',
    ]);
    expect(codes(await against(openDatabaseSource(path), `${one}\n`, otherKid))).toEqual([
      'WITNESS_KEY_UNTRUSTED',
    ]);
    expect(codes(await against(openDatabaseSource(path), `${one}\n`, 'unanchored'))).toEqual([
      'WITNESS_KEY_UNTRUSTED',
    ]);
    const bare = (JSON.parse(one) as WitnessLine).jws;
    expect(await against(openDatabaseSource(path), `${bare}\n`, trust)).toMatchObject({ ok: true });
    const lying = JSON.stringify({ ...JSON.parse(one), treeSize: 1 });
    const tampered = `${bare.slice(0, -4)}AAAA`;
    const damaged = ['not json', lying, tampered, '{"jws":1}', two, one].join('\n');
    const report = await against(openDatabaseSource(path), damaged, trust);
    expect(codes(report)).toEqual([
      'WITNESS_MALFORMED',
      'WITNESS_MALFORMED',
      'WITNESS_SIGNATURE_INVALID',
      'WITNESS_MALFORMED',
      'WITNESS_INCONSISTENT',
    ]);
    expect(codes(await against(openDatabaseSource(path), '\n', trust))).toEqual([
      'WITNESS_MALFORMED',
    ]);
  });

  it('refuses a filtered export: it lacks the events to recompute a root', async () => {
    const { witnessPath, trust } = await witnessed();
    const out = join(h.dir, 'subset.jsonl');
    const db = new Database(dbPath(), { readonly: true });
    await exportLineageJsonl(db, out, { clock: h.clock, filter: { tenantId: 'nobody' } });
    db.close();
    await expectGatewayError(
      against(await openExportSource(out), readFileSync(witnessPath, 'utf8'), trust),
      'VALIDATION_FAILED',
    );
  });
});
