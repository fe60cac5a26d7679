import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { chainCanonical, EMPTY_HEAD, lineageColumns } from '../../src/store/lineage-chain.js';
import type { LineageDraft } from '../../src/store/store.js';

/** The committed migrations folder. */
export const DRIZZLE = new URL('../../drizzle/', import.meta.url);

interface Journal {
  entries: { idx: number; tag: string }[];
}

const dirs: string[] = [];

/** Removes every database {@link databaseAt} made (call from `afterEach`). */
export function removeDatabases(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A database file migrated only up to (and including) migration `lastIdx`: what an older gateway left. */
export function databaseAt(lastIdx: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-migrations-'));
  dirs.push(dir);
  const folder = join(dir, 'drizzle');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(
    readFileSync(new URL('meta/_journal.json', DRIZZLE), 'utf8'),
  ) as Journal;
  const kept = journal.entries.filter((e) => e.idx <= lastIdx);
  writeFileSync(
    join(folder, 'meta', '_journal.json'),
    JSON.stringify({ ...journal, entries: kept }),
  );
  for (const entry of kept) {
    copyFileSync(new URL(`${entry.tag}.sql`, DRIZZLE), join(folder, `${entry.tag}.sql`));
  }
  const path = join(dir, 'gateway.db');
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.close();
  return path;
}

/**
 * Appends drafts to a format-1 lineage (one global chain, as gateways before migration 0009 wrote it) in a
 * database migrated no further than 0008; returns the events' hashes in `seq` order.
 */
export function insertFormat1(db: Database.Database, drafts: readonly LineageDraft[]): string[] {
  const head = db.prepare('select seq, hash from lineage_events order by seq desc limit 1').get() as
    | { seq: number; hash: string }
    | undefined;
  const insert = db.prepare(
    `insert into lineage_events (seq, tenant_id, plan_id, type, actor_type, actor_id, occurred_at, body,
      prev_hash, hash) values (@seq, @tenantId, @planId, @type, @actorType, @actorId, @occurredAt, @body,
      @prevHash, @hash)`,
  );
  return chainCanonical(head ?? EMPTY_HEAD, drafts, 1).map(({ event, body }) => {
    const { chain: _, ...columns } = lineageColumns(event);
    insert.run({ ...columns, body });
    return event.hash;
  });
}
