import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainKey, hexOf, MerkleAccumulator, signTreeHead } from '@handoff/lineage';
import { canonicalJson, type LineageEvent, lineageEventHash } from '@handoff/protocol';
import Database from 'better-sqlite3';
import type { JWK } from 'jose';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { importCheckpointKey } from '../../src/audit/checkpoint-key.js';
import { toIso } from '../../src/clock.js';

/** A private copy of a closed gateway database, opened read-write to tamper with it as an attacker would. */
export function tamperableCopy(databasePath: string): { path: string; db: Database.Database } {
  const path = join(mkdtempSync(join(tmpdir(), 'handoff-tamper-')), 'gateway.db');
  copyFileSync(databasePath, path);
  return { path, db: new Database(path) };
}

/** The stored body of the event with row `id` (insertion order, 1 = first; `seq` counts per chain). */
export function bodyOf(db: Database.Database, id: number): LineageEvent {
  const row = db.prepare('select body from lineage_events where id = ?').get(id) as {
    body: string;
  };
  return JSON.parse(row.body) as LineageEvent;
}

/**
 * Writes an event back, columns and body, without touching its hash (unless `event.hash` changed): into row `id`,
 * or by default the row of the event's chain (tenant, plan, `chain`) and `seq`.
 */
export function writeEvent(
  db: Database.Database,
  event: LineageEvent,
  id = rowOf(db, event),
): void {
  db.prepare(
    'update lineage_events set body = ?, hash = ?, prev_hash = ?, plan_id = ? where id = ?',
  ).run(canonicalJson(event), event.hash, event.prevHash, event.planId ?? null, id);
}

/** The row `id` of an event, found by its chain and `seq`. */
export function rowOf(db: Database.Database, event: LineageEvent): number {
  return db
    .prepare(
      'select id from lineage_events where tenant_id = ? and plan_id is ? and chain is ? and seq = ?',
    )
    .pluck()
    .get(event.tenantId, event.planId ?? null, event.chain ?? null, event.seq) as number;
}

/** The highest row id stored (the number of events when none was deleted). */
export function lastSeq(db: Database.Database): number {
  return db.prepare('select max(id) from lineage_events').pluck().get() as number;
}

/** Where the verifier locates the event of row `id`: its `seq` and its chain's key. */
export function locationOf(db: Database.Database, id: number): { seq: number; chain?: string } {
  const event = bodyOf(db, id);
  return event.chain === undefined
    ? { seq: event.seq }
    : { seq: event.seq, chain: chainKey(event) };
}

/** The ids of the rows of the same chain as row `id`, from it on, in `seq` order. */
function chainFrom(db: Database.Database, id: number): number[] {
  const event = bodyOf(db, id);
  return db
    .prepare(
      `select id from lineage_events where tenant_id = ? and plan_id is ? and chain is ? and seq >= ?
       order by seq`,
    )
    .pluck()
    .all(event.tenantId, event.planId ?? null, event.chain ?? null, event.seq) as number[];
}

/**
 * The careful attacker: changes the event of row `id` with `change`, then recomputes its hash and re-chains every
 * later event of its chain, so every hash and link holds again. Only the signed tree heads can tell.
 */
export function rewriteAndRechain(
  db: Database.Database,
  id: number,
  change: (event: LineageEvent) => void,
): void {
  let prevHash: string | undefined;
  for (const row of chainFrom(db, id)) {
    const event = bodyOf(db, row);
    if (row === id) change(event);
    if (prevHash !== undefined) event.prevHash = prevHash as LineageEvent['prevHash'];
    event.hash = lineageEventHash(event);
    writeEvent(db, event, row);
    prevHash = event.hash;
  }
}

/**
 * Inserts a row for `event` with its columns derived from its body; `at.logIndex` is its leaf (NULL by default),
 * `at.id` its row id (the next one by default).
 */
export function insertEvent(
  db: Database.Database,
  event: LineageEvent,
  at: { logIndex?: number | null; id?: number } = {},
): void {
  db.prepare(
    `insert into lineage_events (id, seq, chain, log_index, tenant_id, plan_id, type, actor_type, actor_id,
     occurred_at, body, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    at.id ?? null,
    event.seq,
    event.chain ?? null,
    at.logIndex ?? null,
    event.tenantId,
    event.planId ?? null,
    event.type,
    event.actor.type,
    event.actor.id,
    Date.parse(event.occurredAt),
    canonicalJson(event),
    event.prevHash,
    event.hash,
  );
}

/**
 * The attacker of issue 13, observation 7, who can write the database file: changes the event of row `id` with
 * `change`, re-chains every later event of its chain, recomputes the log's roots from the leaves in `log_index`
 * order, and re-signs every tree head with a FRESH Ed25519 key under the SAME kid, recording that key in `keys` in
 * place of the gateway's. Every hash, link, root and signature then holds against the keys the file records.
 */
export async function forgeHistory(
  db: Database.Database,
  id: number,
  change: (event: LineageEvent) => void,
  gatewayId: string,
): Promise<void> {
  rewriteAndRechain(db, id, change);
  const tree = new MerkleAccumulator();
  const roots = new Map<number, string>();
  const hashes = db
    .prepare('select hash from lineage_events where log_index is not null order by log_index')
    .pluck()
    .all() as string[];
  for (const [i, hash] of hashes.entries()) {
    tree.pushEventHash(hash);
    roots.set(i + 1, `sha256:${hexOf(tree.root())}`);
  }
  const rows = db
    .prepare('select tree_size treeSize, signed_at signedAt, kid from lineage_checkpoints')
    .all() as { treeSize: number; signedAt: number; kid: string }[];
  const forged = new Map<string, Awaited<ReturnType<typeof importCheckpointKey>>>();
  for (const { kid } of rows) {
    if (forged.has(kid)) continue;
    const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid });
    forged.set(kid, await importCheckpointKey(pair.privateJwk as JWK));
  }
  for (const row of rows) {
    const key = forged.get(row.kid);
    const rootHash = roots.get(row.treeSize) as `sha256:${string}`;
    if (key === undefined) continue;
    const head = { kind: 'LineageTreeHead' as const, gatewayId, treeSize: row.treeSize, rootHash };
    const signature = await signTreeHead({ ...head, signedAt: toIso(row.signedAt) }, key);
    db.prepare(
      'update lineage_checkpoints set root_hash = ?, signature = ? where tree_size = ?',
    ).run(rootHash, signature, row.treeSize);
  }
  for (const [kid, key] of forged) {
    db.prepare("update keys set jwk = ? where purpose = 'checkpoint' and kid = ?").run(
      JSON.stringify(key.publicJwk),
      kid,
    );
  }
}
