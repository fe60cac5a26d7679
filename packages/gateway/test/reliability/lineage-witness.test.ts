import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signTreeHead } from '@handoff/lineage';
import type { LineageEvent } from '@handoff/protocol';
import type { JWK } from 'jose';
import { afterEach, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { importCheckpointKey } from '../../src/audit/checkpoint-key.js';
import { tamperableCopy } from '../audit/tamper.js';
import { runBin } from '../cli/cli-support.js';
import { GATEWAY_ID, type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { fixturePlan } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { forgeLog } from './forge-log.js';
import { tally } from './tally.js';
import { approvedPlan, submitOverHttp } from './trust-support.js';

/**
 * Issue 14, "tree heads kept outside the database": a gateway runtime configured with `checkpoints.witnessFile`
 * appends every signed tree head there, and `handoff lineage verify --against` (run as a process, trusting only
 * the checkpoint JWKS given from outside) catches what the database alone cannot show: a deleted tail, a database
 * rolled back past a witnessed head, and history rewritten and re-signed under a new key.
 */

const AREA = 'lineage: witness';
const dir = mkdtempSync(join(tmpdir(), 'handoff-lineage-witness-'));
let gw: HttpGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** The fixture plan under another plan id (ending in `n`). */
const planNo = (n: number) => ({
  ...fixturePlan(),
  planId: `019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f7${n}`,
});

/**
 * A gateway with a checkpoint key and a witness file in its config; two plans, a tree head after each. Returns
 * the database as it was before the second plan (an older copy an attacker may restore), the final database, the
 * witness file and the checkpoint JWKS the auditor keeps.
 */
async function witnessedGateway(name: string) {
  const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: `cp-${name}` });
  const keyFile = join(dir, `${name}.key.json`);
  writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
  const witness = join(dir, `${name}.witness.jsonl`);
  // The test runs the batches (none on the timer), so each head's size is known.
  gw = await startHttpGateway({
    checkpoints: { keyFile, witnessFile: witness, intervalMs: 86_400_000 },
  });
  const sequencer = gw.runtime.sequencer;
  if (!sequencer) throw new Error('the config names a checkpoint key');
  await approvedPlan(gw, planNo(1));
  const first = await sequencer.sequenceAll();
  const firstHeads = sqliteOf(gw.store)
    .prepare('select count(*) from lineage_checkpoints')
    .pluck()
    .get() as number;
  const older = join(dir, `${name}.older.db`);
  await sqliteOf(gw.store).backup(older);
  gw.clock.advance(60_000);
  await submitOverHttp(gw, planNo(2));
  const second = await sequencer.sequenceAll();
  const heads = sqliteOf(gw.store)
    .prepare('select count(*) from lineage_checkpoints')
    .pluck()
    .get() as number;
  const health = await rawCall(gw.url, 'health', { type: 'query' });
  expect(health.body).toMatchObject({
    result: {
      data: { witness: { status: 'ok', lastTreeSize: second?.treeSize, failedWrites: 0 } },
    },
  });
  const database = join(dir, `${name}.db`);
  await sqliteOf(gw.store).backup(database);
  const key = await importCheckpointKey(pair.privateJwk as JWK);
  const checkpointJwks = join(dir, `${name}.jwks.json`);
  writeFileSync(checkpointJwks, JSON.stringify({ keys: [key.publicJwk] }));
  const approverJwks = join(dir, `${name}.approvers.jwks.json`);
  writeFileSync(
    approverJwks,
    JSON.stringify({ keys: [gw.keys.finance.publicJwk, gw.keys.marketing.publicJwk] }),
  );
  const jwks = ['--checkpoint-keys', checkpointJwks, '--approver-keys', approverJwks];
  return { older, database, witness, jwks, first, second, firstHeads, heads };
}

/** `handoff lineage verify --db FILE --against WITNESS <anchors> --json`: exit code and report. */
async function verifyAgainst(db: string, witness: string, jwks: readonly string[]) {
  const run = await runBin([
    'lineage',
    'verify',
    '--db',
    db,
    '--against',
    witness,
    ...jwks,
    '--json',
  ]);
  return { code: run.code, report: JSON.parse(run.out) as Record<string, unknown> };
}

function witnessCodes(report: Record<string, unknown>): unknown[] {
  const witness = report.witness as { failures: { code: string }[] } | undefined;
  return witness?.failures.map((f) => f.code) ?? [];
}

describe('lineage: witness', () => {
  test('the honest database passes; its tail deleted, it fails WITNESS_TREE_TRUNCATED', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    const { database, witness, jwks, first, firstHeads, heads } = await witnessedGateway('tail');
    expect(readFileSync(witness, 'utf8').trim().split('\n')).toHaveLength(heads);

    t.tried();
    const honest = await verifyAgainst(database, witness, jwks);
    expect(honest.code).toBe(0);
    expect(honest.report).toMatchObject({ ok: true, witness: { heads, failures: [] } });
    const plain = await runBin([
      'lineage',
      'verify',
      '--db',
      database,
      '--against',
      witness,
      ...jwks,
    ]);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(
      new RegExp(`^OK: .*\\nwitness: ${heads} signed tree heads checked\\n?$`, 's'),
    );
    t.held();

    // The careful cut: back to the first plan's heads, the later events (the tail of the log, so the tail of each
    // chain) and head rows removed with them, so the database holds together on its own (it verifies without the
    // witness).
    t.tried();
    const kept = first?.treeSize ?? 0;
    const { path: cut, db } = tamperableCopy(database);
    db.prepare('delete from lineage_events where log_index >= ? or log_index is null').run(kept);
    db.prepare('delete from lineage_checkpoints where tree_size > ?').run(kept);
    db.close();
    const alone = await runBin(['lineage', 'verify', '--db', cut, ...jwks]);
    expect(alone.code).toBe(0);
    const against = await verifyAgainst(cut, witness, jwks);
    expect(against.code).toBe(1);
    expect(against.report).toMatchObject({
      ok: false,
      failure: { code: 'WITNESS_TREE_TRUNCATED', witnessLine: firstHeads + 1, events: kept },
    });
    expect(new Set(witnessCodes(against.report))).toEqual(new Set(['WITNESS_TREE_TRUNCATED']));
    const cutText = await runBin(['lineage', 'verify', '--db', cut, '--against', witness, ...jwks]);
    expect(cutText.code).toBe(1);
    expect(cutText.out).toContain(`witness line ${firstHeads + 1}: WITNESS_TREE_TRUNCATED`);
    t.held();
  });

  test('a database restored from an older copy, past a witnessed head, is detected', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    const { older, witness, jwks, first, second, heads } = await witnessedGateway('rollback');
    t.tried();
    const restored = join(dir, 'restored.db');
    copyFileSync(older, restored);
    const alone = await runBin(['lineage', 'verify', '--db', restored, ...jwks]);
    expect(alone.code).toBe(0);
    const against = await verifyAgainst(restored, witness, jwks);
    expect(against.code).toBe(1);
    expect(against.report).toMatchObject({
      failure: { code: 'WITNESS_TREE_TRUNCATED', witnessLine: heads, treeSize: second?.treeSize },
    });
    // The older copy holds the first head (it matched) but not the second.
    const events = (against.report.failure as { events: number }).events;
    expect(events).toBeGreaterThanOrEqual(first?.treeSize ?? Number.NaN);
    expect(events).toBeLessThan(second?.treeSize ?? 0);
    expect(witnessCodes(against.report)).toEqual(['WITNESS_TREE_TRUNCATED']);
    t.held();
  });

  test('history rewritten and every checkpoint re-signed under a new key is detected', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    const { database, witness, jwks, heads } = await witnessedGateway('rewrite');
    const mismatches = Array.from({ length: heads }, () => 'WITNESS_ROOT_MISMATCH');
    const { path: forged, db } = tamperableCopy(database);
    const received = db
      .prepare("select min(id) from lineage_events where type = 'plan.received'")
      .pluck()
      .get() as number;
    await forgeLog(
      db,
      received,
      (event: LineageEvent) => {
        event.data = { ...event.data, amountMinor: 645 };
      },
      GATEWAY_ID,
    );
    const [size, root] = db
      .prepare(
        'select tree_size, root_hash from lineage_checkpoints order by tree_size desc limit 1',
      )
      .raw()
      .get() as [number, `sha256:${string}`];
    db.close();

    t.tried();
    const against = await verifyAgainst(forged, witness, jwks);
    expect(against.code).toBe(1);
    // Every witnessed head covers the forged event: each root differs.
    expect(witnessCodes(against.report)).toEqual(mismatches);
    t.held();

    // The attacker also appends a head of the forged tree to (their copy of) the witness, under a new kid.
    t.tried();
    const attacker = await importCheckpointKey(
      (await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-attacker' })).privateJwk as JWK,
    );
    const jws = await signTreeHead(
      {
        kind: 'LineageTreeHead',
        gatewayId: GATEWAY_ID,
        treeSize: size,
        rootHash: root,
        signedAt: '2026-11-21T10:00:00.000Z',
      },
      attacker,
    );
    const extended = join(dir, 'extended.witness.jsonl');
    copyFileSync(witness, extended);
    appendFileSync(extended, `${jws}\n`);
    const again = await verifyAgainst(forged, extended, jwks);
    expect(again.code).toBe(1);
    expect(witnessCodes(again.report)).toEqual([...mismatches, 'WITNESS_KEY_UNTRUSTED']);
    t.held();
  });

  test('a witness file that cannot be written shows in health, and is caught up once it can be', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-unwritable' });
    const keyFile = join(dir, 'unwritable.key.json');
    writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
    gw = await startHttpGateway({
      // No batch on the timer during the test: the test runs them.
      checkpoints: {
        keyFile,
        witnessFile: join(dir, 'missing-dir', 'witness.jsonl'),
        intervalMs: 86_400_000,
      },
    });
    await approvedPlan(gw, planNo(1));
    t.tried();
    await expect(gw.runtime.sequencer?.sequence()).rejects.toMatchObject({ code: 'INTERNAL' });
    // The batch committed: its head is stored, and is appended once the file can be written.
    const stored = () =>
      sqliteOf((gw as HttpGateway).store)
        .prepare('select tree_size from lineage_checkpoints order by 1')
        .pluck()
        .all();
    expect(stored()).toHaveLength(1);
    const health = await rawCall(gw.url, 'health', { type: 'query' });
    expect(health.body).toMatchObject({
      result: {
        data: {
          status: 'ok',
          witness: { status: 'failing', failedWrites: 1, lastError: 'ENOENT' },
        },
      },
    });
    mkdirSync(join(dir, 'missing-dir'));
    await gw.runtime.sequencer?.sequenceAll();
    const lines = readFileSync(join(dir, 'missing-dir', 'witness.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { treeSize: number }).treeSize)).toEqual(stored());
    t.held();
  });
});
