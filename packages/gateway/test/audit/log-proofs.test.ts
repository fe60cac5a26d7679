import {
  bytesOfDigest,
  eventLeafHash,
  verifyConsistency,
  verifyInclusion,
  verifyTreeHead,
} from '@handoff/lineage';
import { afterEach, describe, expect, it } from 'vitest';
import { proveConsistency, proveInclusion, treeHead } from '../../src/audit/log-proofs.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { autoApprovablePlan, expectGatewayError, rows } from '../pipeline/helpers.js';
import { createHarness, GATEWAY_ID, type Harness } from '../support/harness.js';
import { checkpointKey } from './support.js';

/** `lineage.treeHead`, `lineage.proveInclusion` and `lineage.proveConsistency`, checked as an auditor would. */

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const bytes = (digest: string) => {
  const out = bytesOfDigest(digest);
  if (out === undefined) throw new Error(`not a digest: ${digest}`);
  return out;
};

/** Two plans and another tenant's event, sequenced 3 events a batch: several heads. */
async function sequenced() {
  h = await createHarness();
  const key = await checkpointKey('cp-proofs');
  await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
  await h.runtime.store.transaction((tx) =>
    tx.appendLineage([
      {
        tenantId: 'globex',
        type: 'control.caps_set',
        actor: { type: 'system', id: 'gateway' },
        occurredAt: h.clock.now(),
      },
    ]),
  );
  await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(2));
  const sequencer = new Sequencer(h.runtime.store, {
    key,
    gatewayId: GATEWAY_ID,
    clock: h.clock,
    maxBatch: 3,
  });
  await sequencer.sequenceAll();
  const heads = rows<{ tree_size: number }>(
    h,
    'select tree_size from lineage_checkpoints order by tree_size',
  ).map((r) => r.tree_size);
  const keyFor = (kid: string) => (kid === key.kid ? key.publicJwk : undefined);
  return { heads, keyFor, auditor: h.callers.auditor.principal };
}

describe('transparency log proofs', () => {
  it('answers the latest signed head, or the head of a size, its JWS verifying with the checkpoint key', async () => {
    const { heads, keyFor, auditor } = await sequenced();
    expect(heads.length).toBeGreaterThan(2);
    const latest = await treeHead(h.runtime.store, auditor);
    expect(latest.treeSize).toBe(heads.at(-1));
    expect(await verifyTreeHead(latest.jws, keyFor)).toMatchObject({
      ok: true,
      head: { treeSize: latest.treeSize, rootHash: latest.rootHash },
    });
    expect((await treeHead(h.runtime.store, auditor, { treeSize: heads[0] })).treeSize).toBe(
      heads[0],
    );
    await expectGatewayError(
      treeHead(h.runtime.store, auditor, { treeSize: (heads[0] ?? 0) + 1 }),
      'NOT_FOUND',
    );
    await expectGatewayError(treeHead(h.runtime.store, h.callers.copilot.principal), 'FORBIDDEN');
  });

  it("proves each of the tenant's events included, by log index or hash, against every later head", async () => {
    const { heads, auditor } = await sequenced();
    const own = rows<{ logIndex: number; hash: string }>(
      h,
      "select log_index as logIndex, hash from lineage_events where tenant_id = 'acme-bank' order by log_index",
    );
    for (const { logIndex, hash } of own) {
      for (const size of heads.filter((s) => s > logIndex)) {
        const proof = await proveInclusion(h.runtime.store, auditor, { logIndex, treeSize: size });
        expect(proof.eventHash).toBe(hash);
        const path = proof.auditPath.map(bytes);
        const root = bytes(proof.treeHead.rootHash);
        expect(verifyInclusion(logIndex, size, eventLeafHash(hash), path, root)).toBe(true);
        // The same proof does not hold for a neighbour's leaf.
        expect(
          verifyInclusion(logIndex, size, eventLeafHash(`sha256:${'0'.repeat(64)}`), path, root),
        ).toBe(false);
      }
      const byHash = await proveInclusion(h.runtime.store, auditor, { eventHash: hash });
      expect(byHash.logIndex).toBe(logIndex);
    }
  });

  it("refuses another tenant's event, an unsequenced one and an index beyond the head (NOT_FOUND)", async () => {
    const { heads, auditor } = await sequenced();
    const [other] = rows<{ logIndex: number; hash: string }>(
      h,
      "select log_index as logIndex, hash from lineage_events where tenant_id = 'globex'",
    );
    await expectGatewayError(
      proveInclusion(h.runtime.store, auditor, { logIndex: other?.logIndex ?? -1 }),
      'NOT_FOUND',
    );
    await expectGatewayError(
      proveInclusion(h.runtime.store, auditor, { eventHash: other?.hash ?? '' }),
      'NOT_FOUND',
    );
    const last = (heads.at(-1) ?? 0) - 1;
    await expectGatewayError(
      proveInclusion(h.runtime.store, auditor, { logIndex: last, treeSize: heads[0] }),
      'NOT_FOUND',
    );
  });

  it('proves every head consistent with every later one, and refuses sizes with no head', async () => {
    const { heads, auditor } = await sequenced();
    for (const [i, from] of heads.entries()) {
      for (const to of heads.slice(i)) {
        const answer = await proveConsistency(h.runtime.store, auditor, { from, to });
        expect(
          verifyConsistency(
            from,
            to,
            bytes(answer.from.rootHash),
            bytes(answer.to.rootHash),
            answer.proof.map(bytes),
          ),
        ).toBe(true);
      }
    }
    const first = heads[0] ?? 0;
    await expectGatewayError(
      proveConsistency(h.runtime.store, auditor, { from: first + 1 }),
      'NOT_FOUND',
    );
    await expectGatewayError(
      proveConsistency(h.runtime.store, auditor, { from: heads.at(-1) ?? 0, to: first }),
      'VALIDATION_FAILED',
    );
  });
});
