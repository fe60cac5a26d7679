import { eventLeafHash, hexOf, merkleRoot, verifyTreeHead } from '@handoff/lineage';
import type { JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { importCheckpointKey } from '../../src/audit/checkpoint-key.js';
import { Checkpointer } from '../../src/audit/checkpointer.js';
import { autoApprovablePlan, expectGatewayError, rows } from '../pipeline/helpers.js';
import { createHarness, GATEWAY_ID, type Harness } from '../support/harness.js';
import { checkpointerOf, checkpointKey } from './support.js';

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

function rootOfFirst(n: number): string {
  const hashes = rows<{ hash: string }>(
    h,
    'select hash from lineage_events where seq <= ? order by seq',
    n,
  );
  return `sha256:${hexOf(merkleRoot(hashes.map((r) => eventLeafHash(r.hash))))}`;
}

describe('signed checkpoints', () => {
  it('signs the RFC 9162 root of the lineage, stores it with its key and records checkpoint.signed', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const size = rows(h, 'select seq from lineage_events').length;
    const checkpointer = await checkpointerOf(h, 'cp-a');
    const record = await checkpointer.checkpoint();
    expect(record).toMatchObject({ treeSize: size, kid: 'cp-a', signedAt: h.clock.now() });
    expect(record?.rootHash).toBe(rootOfFirst(size));
    expect(rows(h, 'select tree_size, root_hash, kid from lineage_checkpoints')).toEqual([
      { tree_size: size, root_hash: record?.rootHash, kid: 'cp-a' },
    ]);
    const events = rows<{ type: string; body: string }>(
      h,
      'select type, body from lineage_events where seq > ? order by seq',
      size,
    );
    expect(events.map((e) => e.type)).toEqual(['control.key_registered', 'checkpoint.signed']);
    expect(JSON.parse(events[1]?.body ?? '{}')).toMatchObject({
      tenantId: GATEWAY_ID,
      refs: { root: record?.rootHash },
      data: { treeSize: size, kid: 'cp-a' },
    });
    const verified = await verifyTreeHead(record?.signature ?? '', recordedKey);
    expect(verified).toMatchObject({
      ok: true,
      kid: 'cp-a',
      head: { treeSize: size, rootHash: record?.rootHash, gatewayId: GATEWAY_ID },
    });
  });

  it('signs nothing when only its own events happened since, and covers new events next time', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const checkpointer = await checkpointerOf(h);
    const first = await checkpointer.checkpoint();
    // The key was new, so two events followed: the next checkpoint covers them, then nothing is new.
    const second = await checkpointer.checkpoint();
    expect(second?.treeSize).toBe((first?.treeSize ?? 0) + 2);
    expect(await checkpointer.checkpoint()).toBeUndefined();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(2));
    const third = await checkpointer.checkpoint();
    const size = rows(h, "select seq from lineage_events where type != 'checkpoint.signed'").length;
    expect(third?.treeSize).toBeGreaterThan(second?.treeSize ?? 0);
    expect(third?.rootHash).toBe(rootOfFirst(third?.treeSize ?? 0));
    expect(size).toBeLessThan(third?.treeSize ?? 0);
  });

  it('keeps heads signed by a rotated key verifiable: every kid stays in the keys table', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const old = await (await checkpointerOf(h, 'cp-old')).checkpoint();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(2));
    const rotated = await (await checkpointerOf(h, 'cp-new')).checkpoint();
    expect(rows(h, "select kid from keys where purpose = 'checkpoint' order by kid")).toEqual([
      { kid: 'cp-new' },
      { kid: 'cp-old' },
    ]);
    expect(await verifyTreeHead(old?.signature ?? '', recordedKey)).toMatchObject({
      ok: true,
      kid: 'cp-old',
    });
    expect(await verifyTreeHead(rotated?.signature ?? '', recordedKey)).toMatchObject({ ok: true });
    // The old head does not verify under the new key, nor under no key.
    const onlyNew = (kid: string) => (kid === 'cp-old' ? recordedKey('cp-new') : undefined);
    expect(await verifyTreeHead(old?.signature ?? '', onlyNew)).toEqual({
      ok: false,
      reason: 'CHECKPOINT_SIGNATURE_INVALID',
    });
    expect(await verifyTreeHead(old?.signature ?? '', () => undefined)).toEqual({
      ok: false,
      reason: 'CHECKPOINT_KEY_UNKNOWN',
    });
  });

  it('refuses to sign over a lineage that no longer matches an earlier checkpoint, writing nothing', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    await (await checkpointerOf(h)).checkpoint();
    h.runtime.store.sqlite
      .prepare('update lineage_events set hash = ? where seq = 2')
      .run(`sha256:${'ab'.repeat(32)}`);
    const before = rows(h, 'select count(*) n from lineage_checkpoints');
    const fresh = new Checkpointer(h.runtime.store, {
      key: await checkpointKey('cp-b'),
      gatewayId: GATEWAY_ID,
      clock: h.clock,
    });
    await expectGatewayError(fresh.checkpoint(), 'INTERNAL');
    expect(rows(h, 'select count(*) n from lineage_checkpoints')).toEqual(before);
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
