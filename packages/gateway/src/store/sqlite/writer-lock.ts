import { readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { GatewayError } from '../../errors.js';

/** Who holds a database file's writer lock: informational, read from the holder file beside the lock. */
export interface WriterLockHolder {
  /** The holder's process id, on `host`. */
  pid: number;
  /** `os.hostname()` of the holder. */
  host: string;
  /** The `gatewayId` of the holder's configuration. */
  gatewayId: string;
  /** When the holder took the lock, ISO 8601 UTC (from the holder's clock). */
  since: string;
}

/** A held writer lock. */
export interface WriterLock {
  /** The lock file (`<database>.lock`). */
  readonly lockFile: string;
  readonly holder: WriterLockHolder;
  /** Removes the holder file and closes the lock connection, which frees the lock. Idempotent. */
  release(): void;
}

const HolderSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  gatewayId: z.string(),
  since: z.string(),
});

/** The database path with symlinks resolved, so two spellings of one file share one lock. */
function canonicalPath(databasePath: string): string {
  try {
    return realpathSync(databasePath);
  } catch {
    // Not created yet: its folder exists (the runtime creates it), the file name is as given.
    return join(realpathSync(dirname(databasePath)), basename(databasePath));
  }
}

/** The lock file of a database file: `<database>.lock` (a SQLite file of its own), beside it. */
export function writerLockFile(databasePath: string): string {
  return `${canonicalPath(databasePath)}.lock`;
}

/** The holder file beside a lock file: `<database>.lock.json`. */
function holderFile(lockFile: string): string {
  return `${lockFile}.json`;
}

/** True for `SQLITE_BUSY` and its extended codes: another connection holds the lock. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** The holder named in the holder file, if it can be read. */
function readHolder(lockFile: string): WriterLockHolder | undefined {
  try {
    const parsed = HolderSchema.safeParse(JSON.parse(readFileSync(holderFile(lockFile), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function refusal(databasePath: string, lockFile: string): GatewayError {
  const holder = readHolder(lockFile);
  const who = holder
    ? `gateway '${holder.gatewayId}' (pid ${holder.pid} on host ${holder.host}, since ${holder.since})`
    : 'another gateway (it has not named itself yet)';
  return new GatewayError(
    'DATABASE_IN_USE',
    `The database ${databasePath} is in use by ${who}. Only one gateway may write a database file: stop that ` +
      'gateway first (its lock is freed as soon as its process ends, even by a crash).',
    { details: { database: databasePath, lockFile, ...(holder ? { holder } : {}) } },
  );
}

/**
 * Takes the one-writer lock of a gateway database file, for the life of the process (until `release`).
 *
 * The lock is an operating-system file lock, not a marker: `<database>.lock` is opened as a SQLite database of its
 * own with `locking_mode = EXCLUSIVE`, and one write inside `BEGIN EXCLUSIVE` takes its exclusive lock, which an
 * exclusive-mode connection keeps until it closes. SQLite's unix VFS implements that lock with `fcntl` record
 * locks, which the kernel releases when the process ends, however it ends (SIGKILL included): a crash never
 * blocks a restart, and no stale-lock timeout can hand the file to a second writer while the first lives. SQLite
 * also tracks these locks per file within a process, so a second gateway in the same process is refused too.
 *
 * Why a sidecar: locking the main database in exclusive mode would lock out the WAL checkpointer and the offline
 * readers (verify, trace, export), which open it on their own connections and must neither take nor wait for
 * this lock; a byte-range lock on the main file needs `fcntl` from JavaScript, which Node does not offer without
 * a native addon. A pid file checked for liveness breaks on pid reuse and across hosts, and a lock file judged
 * stale by age either blocks a restart after a crash or hands a slow live holder's file to another. After taking
 * the lock, the holder's facts are written to `<database>.lock.json` (atomically, by rename); that file only
 * informs the refusal message.
 *
 * `:memory:` databases are private to their connection and take no lock.
 *
 * @param databasePath the database file (symlinks resolved: two spellings of one file share one lock; hard links
 *   do not). Its folder must exist.
 * @param facts the holder's `gatewayId` and the time it takes the lock (epoch ms).
 * @throws GatewayError `DATABASE_IN_USE` when another process (or another gateway in this one) holds the lock;
 *   `details`: `database`, `lockFile`, and `holder` ({@link WriterLockHolder}) when its holder file is readable.
 *   Other I/O errors (e.g. a read-only folder) are thrown as they are.
 */
export function acquireWriterLock(
  databasePath: string,
  facts: { gatewayId: string; atMs: number },
): WriterLock {
  const holder: WriterLockHolder = {
    pid: process.pid,
    host: hostname(),
    gatewayId: facts.gatewayId,
    since: new Date(facts.atMs).toISOString(),
  };
  if (databasePath === ':memory:') return { lockFile: ':memory:', holder, release: () => {} };
  const lockFile = writerLockFile(databasePath);
  const db = new Database(lockFile);
  try {
    // Refused at once, never waited for: a second gateway must fail to start, not hang.
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    db.prepare('INSERT OR REPLACE INTO holder (id, body) VALUES (1, ?)').run(
      JSON.stringify(holder),
    );
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if (isBusy(error)) throw refusal(databasePath, lockFile);
    throw error;
  }
  const file = holderFile(lockFile);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(holder)}\n`);
  renameSync(`${file}.tmp`, file);
  let held = true;
  return {
    lockFile,
    holder,
    release() {
      if (!held) return;
      held = false;
      // The holder file goes first: once the lock is free, the file may already name the next holder.
      rmSync(file, { force: true });
      db.close();
    },
  };
}
