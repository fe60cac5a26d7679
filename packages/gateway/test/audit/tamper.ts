import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, type LineageEvent, lineageEventHash } from '@handoff/protocol';
import Database from 'better-sqlite3';

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
