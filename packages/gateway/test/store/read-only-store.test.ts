import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { openStoreReadOnly } from '../../src/store/open-read-only.js';
import type { GatewayStore } from '../../src/store/store.js';
import { isStoreUnavailable } from '../../src/store/store-unavailable.js';
import { expectGatewayError } from '../pipeline/helpers.js';
import { draft, planRecord, tempDatabase } from './fixtures.js';

const opened: GatewayStore[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A gateway database holding one plan and two events, closed, and its path. */
async function writtenDatabase(): Promise<string> {
  const db = tempDatabase();
  cleanups.push(() => db.cleanup());
  const writer = db.open();
  await writer.transaction(async (tx) => {
    await tx.insertPlan(planRecord('p-1'));
    await tx.appendLineage([draft(1, 'p-1'), draft(2)]);
  });
  await writer.close();
  return db.path;
}

describe('openStoreReadOnly (the auditor commands’ --db)', () => {
  test('a SQLite file: read through the dialect-neutral reads, health read-only, a write refused and nothing changed', async () => {
    const store = await openStoreReadOnly(await writtenDatabase());
    opened.push(store);
    expect(await store.health()).toEqual({
      status: 'read-only',
      message: 'The database is open read-only',
    });
    expect(await store.readAudit((r) => r.plansWithId('p-1'))).toEqual([planRecord('p-1')]);
    expect(await store.lineageReads.countLineage({})).toBe(2);
    await expect(store.transaction((tx) => tx.appendLineage([draft(3)]))).rejects.toThrow();
    expect(await store.lineageReads.countLineage({})).toBe(2);
  });

  test('a missing file is NOT_FOUND and is not created', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'handoff-ro-')), 'absent.db');
    await expectGatewayError(() => openStoreReadOnly(path), 'NOT_FOUND');
    expect(existsSync(path)).toBe(false);
  });

  test('a PostgreSQL URL opens the PostgreSQL store: unreachable, an unavailable-database error naming no password', async () => {
    // Port 1 on loopback: nothing listens there.
    const url = 'postgres://auditor:s3cret@127.0.0.1:1/handoff';
    const error = await openStoreReadOnly(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreUnavailable(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain('s3cret');
  });
});
