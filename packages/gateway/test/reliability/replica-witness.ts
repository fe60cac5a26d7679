import { readFileSync } from 'node:fs';
import { eventLeafHash, hexOf, merkleRoot, verifyTreeHead } from '@handoff/lineage';
import type { JWK } from 'jose';
import { expect } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { anchorsFromJwks } from '../../src/audit/trust-anchors.js';
import { verifyLineageAgainst } from '../../src/audit/verify-witness.js';
import { queryRows } from './replica-support.js';
import { witnessLines } from './sequencer-support.js';

/**
 * Asserts what the replicas of one database must keep, read from the database at `url` and the witness files:
 * every event has exactly one log index (0..n-1 in insertion order), each stored tree head's root is the RFC 9162
 * root of the first treeSize leaves, and each witness file's heads grow strictly, are signed by `checkpointKey`
 * (the trusted public JWK, never one the database records) and commit to exactly those leaves.
 * Returns the stored heads' sizes.
 */
export async function expectHeadsConsistent(
  url: string,
  witnessFiles: readonly string[],
  checkpointKey: JWK,
): Promise<number[]> {
  const events = await queryRows<{ logIndex: string | null; hash: string }>(
    url,
    // In log order: on PostgreSQL an event's id is taken at insert, so a lower id may commit (and be sequenced)
    // after a higher one; the log is contiguous in log_index, not in id.
    'select log_index as "logIndex", hash from lineage_events order by log_index nulls last, id',
  );
  expect(events.map((e) => (e.logIndex === null ? null : Number(e.logIndex)))).toEqual(
    events.map((_, i) => i),
  );
  const leaves = events.map((e) => eventLeafHash(e.hash));
  const rootAt = (size: number) => `sha256:${hexOf(merkleRoot(leaves.slice(0, size)))}`;
  const heads = await queryRows<{ treeSize: string; rootHash: string }>(
    url,
    'select tree_size as "treeSize", root_hash as "rootHash" from lineage_checkpoints order by tree_size',
  );
  for (const head of heads) expect(head.rootHash).toBe(rootAt(Number(head.treeSize)));
  const trusted = (kid: string) => (kid === checkpointKey.kid ? checkpointKey : undefined);
  for (const path of witnessFiles) {
    const lines = witnessLines(path);
    const sizes = lines.map((l) => l.treeSize);
    expect(sizes, path).toEqual([...new Set(sizes)].sort((a, b) => a - b));
    for (const line of lines) {
      expect(line.treeSize).toBeLessThanOrEqual(events.length);
      expect(line.rootHash, path).toBe(rootAt(line.treeSize));
      expect(await verifyTreeHead(line.jws, trusted), path).toMatchObject({ ok: true });
    }
  }
  return heads.map((h) => Number(h.treeSize));
}

/**
 * Runs the real verifier, as `handoff lineage verify --db URL --against WITNESS` does: the store at `url` opened
 * read-only (`openDatabaseSource`), checked against each witness file in turn, anchored on the trusted checkpoint
 * and approver public JWKs (never keys the database records). Asserts each report is `ok`; returns the number
 * of witnessed heads each file held.
 */
export async function expectLogVerifies(
  url: string,
  witnessFiles: readonly string[],
  anchors: { checkpoint: JWK; approver: JWK },
): Promise<number[]> {
  const trust = anchorsFromJwks({ keys: [anchors.checkpoint] }, { keys: [anchors.approver] });
  const heads: number[] = [];
  for (const path of witnessFiles) {
    const source = await openDatabaseSource(url);
    try {
      const report = await verifyLineageAgainst(source, readFileSync(path, 'utf8'), { trust });
      expect(report, path).toMatchObject({ ok: true });
      heads.push(witnessLines(path).length);
    } finally {
      source.close();
    }
  }
  return heads;
}
