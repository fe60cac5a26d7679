import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LineageEvent } from '@handoff/protocol';
import type { JWK } from 'jose';
import { afterEach, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { importCheckpointKey, signTreeHead } from '../../src/audit/tree-head.js';
import { forgeHistory, tamperableCopy } from '../audit/tamper.js';
import { runBin } from '../cli/cli-support.js';
import { GATEWAY_ID, type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { fixturePlan } from '../support/harness.js';
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
  gw = await startHttpGateway({ checkpoints: { keyFile, witnessFile: witness } });
  const checkpointer = gw.runtime.checkpointer;
  if (!checkpointer) throw new Error('the config names a checkpoint key');
  await approvedPlan(gw, planNo(1));
  const first = await checkpointer.checkpoint();
  const older = join(dir, `${name}.older.db`);
  await gw.store.sqlite.backup(older);
  gw.clock.advance(60_000);
  await submitOverHttp(gw, planNo(2));
  const second = await checkpointer.checkpoint();
  const health = await rawCall(gw.url, 'health', { type: 'query' });
  expect(health.body).toMatchObject({
    result: {
      data: { witness: { status: 'ok', lastTreeSize: second?.treeSize, failedWrites: 0 } },
    },
  });
  const database = join(dir, `${name}.db`);
  await gw.store.sqlite.backup(database);
  const key = await importCheckpointKey(pair.privateJwk as JWK);
  const checkpointJwks = join(dir, `${name}.jwks.json`);
  writeFileSync(checkpointJwks, JSON.stringify({ keys: [key.publicJwk] }));
  const approverJwks = join(dir, `${name}.approvers.jwks.json`);
  writeFileSync(
    approverJwks,
    JSON.stringify({ keys: [gw.keys.finance.publicJwk, gw.keys.marketing.publicJwk] }),
  );
  const jwks = ['--checkpoint-keys', checkpointJwks, '--approver-keys', approverJwks];
  return { older, database, witness, jwks, first, second };
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
    const { database, witness, jwks, first } = await witnessedGateway('tail');
    expect(readFileSync(witness, 'utf8').trim().split('\n')).toHaveLength(2);

    t.tried();
    const honest = await verifyAgainst(database, witness, jwks);
    expect(honest.code).toBe(0);
    expect(honest.report).toMatchObject({ ok: true, witness: { heads: 2, failures: [] } });
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
    expect(plain.out).toMatch(/^OK: .*\nwitness: 2 signed tree heads checked\n?$/s);
    t.held();

    // The careful cut: back to the first head's own events, the later checkpoint row removed with them, so the
    // database holds together on its own (it verifies without the witness).
    t.tried();
    const kept = (first?.treeSize ?? 0) + 2;
    const { path: cut, db } = tamperableCopy(database);
    db.prepare('delete from lineage_events where seq > ?').run(kept);
    db.prepare('delete from lineage_checkpoints where tree_size > ?').run(kept);
    db.close();
    const alone = await runBin(['lineage', 'verify', '--db', cut, ...jwks]);
    expect(alone.code).toBe(0);
    const against = await verifyAgainst(cut, witness, jwks);
    expect(against.code).toBe(1);
    expect(against.report).toMatchObject({
      ok: false,
      failure: { code: 'WITNESS_TREE_TRUNCATED', witnessLine: 2, events: kept },
    });
    expect(witnessCodes(against.report)).toEqual(['WITNESS_TREE_TRUNCATED']);
    const cutText = await runBin(['lineage', 'verify', '--db', cut, '--against', witness, ...jwks]);
    expect(cutText.code).toBe(1);
    expect(cutText.out).toContain('witness line 2: WITNESS_TREE_TRUNCATED');
    t.held();
  });

  test('a database restored from an older copy, past a witnessed head, is detected', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    const { older, witness, jwks, first, second } = await witnessedGateway('rollback');
    t.tried();
    const restored = join(dir, 'restored.db');
    copyFileSync(older, restored);
    const alone = await runBin(['lineage', 'verify', '--db', restored, ...jwks]);
    expect(alone.code).toBe(0);
    const against = await verifyAgainst(restored, witness, jwks);
    expect(against.code).toBe(1);
    expect(against.report).toMatchObject({
      failure: { code: 'WITNESS_TREE_TRUNCATED', witnessLine: 2, treeSize: second?.treeSize },
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
    const { database, witness, jwks } = await witnessedGateway('rewrite');
    const { path: forged, db } = tamperableCopy(database);
    const reserved = db
      .prepare("select min(seq) from lineage_events where type = 'plan.received'")
      .pluck()
      .get() as number;
    await forgeHistory(
      db,
      reserved,
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
    expect(witnessCodes(against.report)).toEqual([
      'WITNESS_ROOT_MISMATCH',
      'WITNESS_ROOT_MISMATCH',
    ]);
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
    expect(witnessCodes(again.report)).toEqual([
      'WITNESS_ROOT_MISMATCH',
      'WITNESS_ROOT_MISMATCH',
      'WITNESS_KEY_UNTRUSTED',
    ]);
    t.held();
  });

  test('a witness file that cannot be written fails the checkpoint and shows in health', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-unwritable' });
    const keyFile = join(dir, 'unwritable.key.json');
    writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
    gw = await startHttpGateway({
      checkpoints: { keyFile, witnessFile: join(dir, 'missing-dir', 'witness.jsonl') },
    });
    await approvedPlan(gw, planNo(1));
    t.tried();
    await expect(gw.runtime.checkpointer?.checkpoint()).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(gw.store.sqlite.prepare('select count(*) from lineage_checkpoints').pluck().get()).toBe(
      0,
    );
    const health = await rawCall(gw.url, 'health', { type: 'query' });
    expect(health.body).toMatchObject({
      result: {
        data: {
          status: 'ok',
          witness: { status: 'failing', failedWrites: 1, lastError: 'ENOENT' },
        },
      },
    });
    t.held();
  });
});
