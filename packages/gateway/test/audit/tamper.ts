import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexOf, MerkleAccumulator, signTreeHead } from '@handoff/lineage';
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

/** The stored body of event `seq`. */
export function bodyOf(db: Database.Database, seq: number): LineageEvent {
  const row = db.prepare('select body from lineage_events where seq = ?').get(seq) as {
    body: string;
  };
  return JSON.parse(row.body) as LineageEvent;
}

/** Writes an event back, columns and body, without touching its hash (unless `event.hash` changed). */
export function writeEvent(db: Database.Database, event: LineageEvent, atSeq = event.seq): void {
  db.prepare(
    'update lineage_events set body = ?, hash = ?, prev_hash = ?, plan_id = ? where seq = ?',
  ).run(canonicalJson(event), event.hash, event.prevHash, event.planId ?? null, atSeq);
}

/** The highest seq stored. */
export function lastSeq(db: Database.Database): number {
  return db.prepare('select max(seq) from lineage_events').pluck().get() as number;
}

/**
 * The careful attacker: changes event `seq` with `change`, then recomputes its hash and re-chains every event
 * after it, so every hash and link holds again. Only the signed checkpoints can tell.
 */
export function rewriteAndRechain(
  db: Database.Database,
  seq: number,
  change: (event: LineageEvent) => void,
): void {
  let prevHash = seq === 1 ? undefined : bodyOf(db, seq - 1).hash;
  for (let s = seq; s <= lastSeq(db); s += 1) {
    const event = bodyOf(db, s);
    if (s === seq) change(event);
    if (prevHash !== undefined) event.prevHash = prevHash as LineageEvent['prevHash'];
    event.hash = lineageEventHash(event);
    writeEvent(db, event);
    prevHash = event.hash;
  }
}

/** Inserts a row for `event` with its columns derived from its body. */
export function insertEvent(db: Database.Database, event: LineageEvent): void {
  db.prepare(
    `insert into lineage_events (seq, tenant_id, plan_id, type, actor_type, actor_id, occurred_at, body,
     prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    event.seq,
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
 * The attacker of issue 13, observation 7, who can write the database file: changes event `seq` with `change`,
 * re-chains every event after it (a `checkpoint.signed` event then names the new root of its tree size), and
 * re-signs every checkpoint with a FRESH Ed25519 key under the SAME kid, recording that key in `keys` in place of
 * the gateway's. Every hash, link, root and signature then holds against the keys the file records.
 */
export async function forgeHistory(
  db: Database.Database,
  seq: number,
  change: (event: LineageEvent) => void,
  gatewayId: string,
): Promise<void> {
  const tree = new MerkleAccumulator();
  const roots = new Map<number, string>();
  let prevHash = '';
  for (let s = 1; s <= lastSeq(db); s += 1) {
    const event = bodyOf(db, s);
    if (s >= seq) {
      if (s === seq) change(event);
      if (event.type === 'checkpoint.signed') {
        event.refs = { ...event.refs, root: roots.get(Number(event.data.treeSize)) ?? '' };
      }
      event.prevHash = prevHash as LineageEvent['prevHash'];
      event.hash = lineageEventHash(event);
      writeEvent(db, event);
    }
    tree.pushEventHash(event.hash);
    roots.set(s, `sha256:${hexOf(tree.root())}`);
    prevHash = event.hash;
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
