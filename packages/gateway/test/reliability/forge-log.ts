import { eventHash, eventLeafHash, hexOf, MerkleAccumulator, signTreeHead } from '@handoff/lineage';
import type { LineageEvent } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import type { JWK } from 'jose';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { importCheckpointKey } from '../../src/audit/checkpoint-key.js';
import { toIso } from '../../src/clock.js';

/**
 * What an attacker with write access to a format-2 database does to rewrite history so that it verifies on its
 * own: changes the event of row `id`, re-chains the rest of that event's chain after it, recomputes the log's
 * RFC 9162 root at every stored head's size, re-signs every head with a NEW key under the same kid and records
 * that key in `keys`. Only tree heads kept outside the database (a witness file) show it.
 */
export async function forgeLog(
  db: Database.Database,
  id: number,
  change: (event: LineageEvent) => void,
  gatewayId: string,
): Promise<void> {
  const target = JSON.parse(
    db.prepare('select body from lineage_events where id = ?').pluck().get(id) as string,
  ) as LineageEvent;
  const chainRows = db
    .prepare(
      `select id, body from lineage_events where tenant_id = ? and plan_id is ? and chain = ? and id >= ?
       order by seq`,
    )
    .all(target.tenantId, target.planId ?? null, target.chain, id) as {
    id: number;
    body: string;
  }[];
  const write = db.prepare(
    'update lineage_events set body = ?, prev_hash = ?, hash = ? where id = ?',
  );
  let prevHash: string | undefined;
  for (const row of chainRows) {
    const event = JSON.parse(row.body) as LineageEvent;
    if (row.id === id) change(event);
    else event.prevHash = prevHash as LineageEvent['prevHash'];
    event.hash = eventHash(event);
    write.run(JSON.stringify(event), event.prevHash, event.hash, row.id);
    prevHash = event.hash;
  }
  const acc = new MerkleAccumulator();
  const roots = new Map<number, `sha256:${string}`>();
  const leaves = db
    .prepare('select hash from lineage_events where log_index is not null order by log_index')
    .pluck()
    .all() as string[];
  for (const hash of leaves) {
    acc.push(eventLeafHash(hash));
    roots.set(acc.size, `sha256:${hexOf(acc.root())}`);
  }
  const heads = db
    .prepare('select tree_size treeSize, signed_at signedAt, kid from lineage_checkpoints')
    .all() as { treeSize: number; signedAt: number; kid: string }[];
  const keys = new Map<string, Awaited<ReturnType<typeof importCheckpointKey>>>();
  for (const head of heads) {
    let key = keys.get(head.kid);
    if (key === undefined) {
      const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: head.kid });
      key = await importCheckpointKey(pair.privateJwk as JWK);
      keys.set(head.kid, key);
    }
    const rootHash = roots.get(head.treeSize) as `sha256:${string}`;
    const signature = await signTreeHead(
      {
        kind: 'LineageTreeHead',
        gatewayId,
        treeSize: head.treeSize,
        rootHash,
        signedAt: toIso(head.signedAt),
      },
      key,
    );
    db.prepare(
      'update lineage_checkpoints set root_hash = ?, signature = ? where tree_size = ?',
    ).run(rootHash, signature, head.treeSize);
  }
  for (const [kid, key] of keys) {
    db.prepare("update keys set jwk = ? where purpose = 'checkpoint' and kid = ?").run(
      JSON.stringify(key.publicJwk),
      kid,
    );
  }
}
