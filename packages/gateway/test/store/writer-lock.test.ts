import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { isGatewayError } from '../../src/errors.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { acquireWriterLock, type WriterLock } from '../../src/store/sqlite/writer-lock.js';

/**
 * The one-writer lock of a database file (src/store/sqlite/writer-lock.ts) within one process: a second holder is
 * refused with the first one named, release frees it, offline readers neither take nor wait for it. Refusal across
 * processes and release by SIGKILL: test/reliability/trust-single-writer.test.ts.
 */

const AT = Date.parse('2026-12-07T10:00:00Z');
let dir: string;
const held: WriterLock[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-lock-'));
});
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
  rmSync(dir, { recursive: true, force: true });
});

function take(path: string, gatewayId = 'gw-1'): WriterLock {
  const lock = acquireWriterLock(path, { gatewayId, atMs: AT });
  held.push(lock);
  return lock;
}

function refusalOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isGatewayError(error, 'DATABASE_IN_USE')) return error;
    throw error;
  }
  throw new Error('the second lock was granted');
}

describe('writer lock', () => {
  test('a second holder is refused DATABASE_IN_USE, naming the first; released, it is granted', () => {
    const db = join(dir, 'gateway.db');
    const first = take(db);
    expect(JSON.parse(readFileSync(`${first.lockFile}.json`, 'utf8'))).toEqual({
      pid: process.pid,
      host: hostname(),
      gatewayId: 'gw-1',
      since: '2026-12-07T10:00:00.000Z',
    });
    const refused = refusalOf(() => take(db, 'gw-2'));
    expect(refused.message).toContain(`gateway 'gw-1' (pid ${process.pid} on host ${hostname()}`);
    expect(refused.message).toContain('since 2026-12-07T10:00:00.000Z');
    expect(refused.details).toMatchObject({ database: db, holder: { gatewayId: 'gw-1' } });
    first.release();
    expect(existsSync(`${first.lockFile}.json`)).toBe(false);
    expect(take(db, 'gw-2').holder.gatewayId).toBe('gw-2');
  });

  test('two spellings of one file (a symlinked folder) share one lock', () => {
    symlinkSync(dir, join(dir, '..', `${dir.split('/').pop()}-link`));
    const link = join(dir, '..', `${dir.split('/').pop()}-link`);
    try {
      take(join(dir, 'gateway.db'));
      refusalOf(() => take(join(link, 'gateway.db'), 'gw-2'));
    } finally {
      rmSync(link);
    }
  });

  test('a lock whose holder file is missing still refuses, saying the holder has not named itself', () => {
    const db = join(dir, 'gateway.db');
    const first = take(db);
    rmSync(`${first.lockFile}.json`);
    expect(refusalOf(() => take(db, 'gw-2')).message).toContain('has not named itself');
  });

  test('offline readers open a locked database, read-only or not, and never take the lock', async () => {
    const db = join(dir, 'gateway.db');
    await openSqliteStore({ path: db }).close();
    take(db);
    const source = await openDatabaseSource(db);
    source.close();
    const store = openSqliteStore({ path: db });
    await store.transaction(async (tx) => tx.getCaps('acme-bank'));
    await store.close();
    refusalOf(() => take(db, 'gw-2'));
  });

  test(':memory: takes no lock', () => {
    take(':memory:');
    expect(take(':memory:', 'gw-2').lockFile).toBe(':memory:');
  });
});
