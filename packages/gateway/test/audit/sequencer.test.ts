import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventLeafHash, hexOf, merkleRoot, verifyTreeHead } from '@handoff/lineage';
import type { JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { importCheckpointKey } from '../../src/audit/checkpoint-key.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { WitnessFile } from '../../src/audit/witness-file.js';
import { autoApprovablePlan, expectGatewayError, rows } from '../pipeline/helpers.js';
import { createHarness, GATEWAY_ID, type Harness } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { checkpointKey, sequencerOf } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** The recorded public JWK of a checkpoint kid, as an offline verifier reads it. */
function recordedKey(kid: string): JWK | undefined {
  const [row] = rows<{ jwk: string }>(
    h,
    "select jwk from keys where purpose = 'checkpoint' and kid = ?",
    kid,
  );
  return row ? (JSON.parse(row.jwk) as JWK) : undefined;
}

/** RFC 9162 root over the leaves of log indexes 0..n-1. */
function rootOfFirst(n: number): string {
  const hashes = rows<{ hash: string }>(
    h,
    'select hash from lineage_events where log_index < ? order by log_index',
    n,
  );
  return `sha256:${hexOf(merkleRoot(hashes.map((r) => eventLeafHash(r.hash))))}`;
}

const unsequenced = () =>
  rows<{ id: number }>(h, 'select id from lineage_events where log_index is null order by id');

describe('the batch sequencer', () => {
  it('gives waiting events log indexes in id order and signs one RFC 9162 tree head over them', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const waiting = unsequenced().map((r) => r.id);
    const sequencer = await sequencerOf(h, 'cp-a');
    const record = await sequencer.sequence();
    // The new kid is recorded once, as an event of the same batch (the last leaf); no event per head.
    const keyEvent = rows<{ id: number }>(
      h,
      "select id from lineage_events where type = 'control.key_registered' and tenant_id = ?",
      GATEWAY_ID,
    ).map((r) => r.id);
    expect(keyEvent).toHaveLength(1);
    const size = waiting.length + 1;
    expect(record).toMatchObject({ treeSize: size, kid: 'cp-a', signedAt: h.clock.now() });
    expect(
      rows<{ id: number }>(
        h,
        'select id from lineage_events where log_index is not null order by log_index',
      ).map((r) => r.id),
    ).toEqual([...waiting, ...keyEvent]);
    expect(record?.rootHash).toBe(rootOfFirst(size));
    expect(rows(h, 'select tree_size, root_hash, kid from lineage_checkpoints')).toEqual([
      { tree_size: size, root_hash: record?.rootHash, kid: 'cp-a' },
    ]);
    expect(await verifyTreeHead(record?.signature ?? '', recordedKey)).toMatchObject({
      ok: true,
      kid: 'cp-a',
      head: { treeSize: size, rootHash: record?.rootHash, gatewayId: GATEWAY_ID },
    });
    expect(await sequencer.sequence()).toBeUndefined();
    expect(unsequenced()).toEqual([]);
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(2));
    const next = await sequencer.sequence();
    expect(next?.treeSize).toBeGreaterThan(size);
    expect(next?.rootHash).toBe(rootOfFirst(next?.treeSize ?? 0));
  });

  it('sequences at most maxBatch events a batch, one head each, and each head extends the last', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const waiting = unsequenced().length;
    const sequencer = new Sequencer(h.runtime.store, {
      key: await checkpointKey('cp-b'),
      gatewayId: GATEWAY_ID,
      clock: h.clock,
      maxBatch: 2,
    });
    const first = await sequencer.sequence();
    expect(first?.treeSize).toBe(2);
    expect(sequencer.lastBatchSize).toBe(2);
    const last = await sequencer.sequenceAll();
    const heads = rows<{ tree_size: number; root_hash: string }>(
      h,
      'select tree_size, root_hash from lineage_checkpoints order by tree_size',
    );
    // +1: the key's control.key_registered event.
    expect(last?.treeSize).toBe(waiting + 1);
    expect(heads.map((c) => c.tree_size)).toEqual(
      Array.from({ length: Math.ceil((waiting + 1) / 2) }, (_, i) =>
        Math.min(2 * (i + 1), waiting + 1),
      ),
    );
    for (const head of heads) expect(head.root_hash).toBe(rootOfFirst(head.tree_size));
  });

  it('runs overlapping calls one batch after another, each extending the last', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const sequencer = new Sequencer(h.runtime.store, {
      key: await checkpointKey('cp-o'),
      gatewayId: GATEWAY_ID,
      clock: h.clock,
      maxBatch: 2,
    });
    const batches = await Promise.all([
      sequencer.sequence(),
      sequencer.sequence(),
      sequencer.sequence(),
    ]);
    expect(batches.map((b) => b?.treeSize)).toEqual([2, 4, 6]);
    for (const b of batches) expect(b?.rootHash).toBe(rootOfFirst(b?.treeSize ?? 0));
  });

  it('keeps heads signed by a rotated key verifiable: every kid stays in the keys table', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const old = await (await sequencerOf(h, 'cp-old')).sequenceAll();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(2));
    const rotated = await (await sequencerOf(h, 'cp-new')).sequenceAll();
    expect(rows(h, "select kid from keys where purpose = 'checkpoint' order by kid")).toEqual([
      { kid: 'cp-new' },
      { kid: 'cp-old' },
    ]);
    expect(await verifyTreeHead(old?.signature ?? '', recordedKey)).toMatchObject({
      ok: true,
      kid: 'cp-old',
    });
    expect(await verifyTreeHead(rotated?.signature ?? '', recordedKey)).toMatchObject({ ok: true });
    const onlyNew = (kid: string) => (kid === 'cp-old' ? recordedKey('cp-new') : undefined);
    expect(await verifyTreeHead(old?.signature ?? '', onlyNew)).toEqual({
      ok: false,
      reason: 'CHECKPOINT_SIGNATURE_INVALID',
    });
  });

  it('refuses to sign over a log that no longer matches a stored head, or has a gap, writing nothing', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    await (await sequencerOf(h)).sequenceAll();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(2));
    const before = rows(h, 'select count(*) n from lineage_checkpoints');
    sqliteOf(h.runtime.store)
      .prepare('update lineage_events set hash = ? where log_index = 1')
      .run(`sha256:${'ab'.repeat(32)}`);
    await expectGatewayError((await sequencerOf(h, 'cp-b')).sequence(), 'INTERNAL');
    sqliteOf(h.runtime.store).prepare('delete from lineage_events where log_index = 1').run();
    await expectGatewayError((await sequencerOf(h, 'cp-c')).sequence(), 'INTERNAL');
    expect(rows(h, 'select count(*) n from lineage_checkpoints')).toEqual(before);
    expect(unsequenced().length).toBeGreaterThan(0);
  });

  it('appends each head to the witness after its commit; a failed append is caught up by the next batch', async () => {
    h = await createHarness();
    // Its folder does not exist yet: the append fails until it is made.
    const path = join(h.dir, 'later', 'witness.jsonl');
    const witness = new WitnessFile(path);
    const key = await checkpointKey('cp-w');
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const sequencer = new Sequencer(h.runtime.store, {
      key,
      gatewayId: GATEWAY_ID,
      clock: h.clock,
      witness,
    });
    await expectGatewayError(sequencer.sequence(), 'INTERNAL');
    expect(witness.health()).toMatchObject({ status: 'failing', failedWrites: 1 });
    const stored = rows<{ tree_size: number }>(h, 'select tree_size from lineage_checkpoints');
    expect(stored).toHaveLength(1);
    mkdirSync(join(h.dir, 'later'));
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(2));
    const next = await sequencer.sequence();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { treeSize: number });
    expect(lines.map((l) => l.treeSize)).toEqual([stored[0]?.tree_size, next?.treeSize]);
    expect(witness.lastTreeSize()).toBe(next?.treeSize);
  });

  it('refuses to extend a database that is behind its witness file (cut or restored from an older copy)', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const key = await checkpointKey('cp-x');
    const path = join(h.dir, 'ahead.jsonl');
    writeFileSync(path, `${JSON.stringify({ kind: 'LineageTreeHead', treeSize: 10_000 })}\n`);
    const sequencer = new Sequencer(h.runtime.store, {
      key,
      gatewayId: GATEWAY_ID,
      clock: h.clock,
      witness: new WitnessFile(path),
    });
    const error = await expectGatewayError(sequencer.sequence(), 'INTERNAL');
    expect(error.message).toMatch(/witness file has a tree head of 10000 events/);
    expect(rows(h, 'select count(*) n from lineage_checkpoints')).toEqual([{ n: 0 }]);
  });

  it('accepts only a private Ed25519 JWK with a kid whose halves match (CONFIG_INVALID otherwise)', async () => {
    const ed = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'a' });
    const other = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'b' });
    const es = await generateSigningKeyPair({ alg: 'ES256', kid: 'c' });
    const key = await importCheckpointKey(ed.privateJwk as JWK);
    expect(key.publicJwk).toEqual({ ...ed.publicJwk });
    expect(key.publicJwk).not.toHaveProperty('d');
    await expectGatewayError(importCheckpointKey(es.privateJwk as JWK), 'CONFIG_INVALID');
    await expectGatewayError(importCheckpointKey(ed.publicJwk as JWK), 'CONFIG_INVALID');
    await expectGatewayError(
      importCheckpointKey({ ...ed.privateJwk, kid: '' } as JWK),
      'CONFIG_INVALID',
    );
    const mixed = { ...ed.privateJwk, x: other.publicJwk.x } as JWK;
    await expectGatewayError(importCheckpointKey(mixed), 'CONFIG_INVALID');
  });
});
