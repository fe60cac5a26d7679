import { describe, expect, test } from 'vitest';
import { GroupCommit, type GroupCommitConnection } from '../../src/store/sqlite/group-commit.js';

/** A connection that records the statements it is given; `failOn` makes the nth such statement throw. */
function fakeConnection(failOn?: { statement: string; nth?: number; endsTransaction?: boolean }) {
  const log: string[] = [];
  let seen = 0;
  let open = false;
  let beginError: Error | undefined;
  const connection: GroupCommitConnection = {
    async begin() {
      if (beginError) throw beginError;
      log.push('BEGIN');
      open = true;
    },
    exec(statement: string) {
      if (failOn?.statement === statement && ++seen === (failOn.nth ?? 1)) {
        if (failOn.endsTransaction) open = false;
        throw new Error(`${statement} failed`);
      }
      log.push(statement);
      if (statement === 'COMMIT' || statement === 'ROLLBACK') open = false;
    },
    get inTransaction() {
      return open;
    },
  };
  return {
    connection,
    log,
    failBegin(error: Error | undefined) {
      beginError = error;
    },
  };
}

/** Queues a task that logs its name and resolves with it. */
function named(group: GroupCommit, log: string[], name: string, fail = false) {
  return group.run(async () => {
    log.push(name);
    if (fail) throw new Error(`${name} failed`);
    return name;
  });
}

describe('GroupCommit', () => {
  test('transactions queued together share one BEGIN and one COMMIT, each in its own savepoint', async () => {
    const { connection, log } = fakeConnection();
    const group = new GroupCommit(connection);
    const results = await Promise.all(['a', 'b', 'c'].map((n) => named(group, log, n)));
    expect(results).toEqual(['a', 'b', 'c']);
    const member = (n: string) => ['SAVEPOINT handoff_tx', n, 'RELEASE handoff_tx'];
    expect(log).toEqual(['BEGIN', ...member('a'), ...member('b'), ...member('c'), 'COMMIT']);
  });

  test('a caller is answered only after the COMMIT', async () => {
    const { connection, log } = fakeConnection();
    const group = new GroupCommit(connection);
    const answered = named(group, log, 'a').then(() => log.push('answered'));
    await answered;
    expect(log.indexOf('answered')).toBeGreaterThan(log.indexOf('COMMIT'));
  });

  test('a failing member is rolled back alone and told at once; the others commit', async () => {
    const { connection, log } = fakeConnection();
    const group = new GroupCommit(connection);
    const settled = await Promise.allSettled([
      named(group, log, 'a'),
      named(group, log, 'b', true),
      named(group, log, 'c'),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).toEqual([
      'BEGIN',
      'SAVEPOINT handoff_tx',
      'a',
      'RELEASE handoff_tx',
      'SAVEPOINT handoff_tx',
      'b',
      'ROLLBACK TO handoff_tx',
      'RELEASE handoff_tx',
      'SAVEPOINT handoff_tx',
      'c',
      'RELEASE handoff_tx',
      'COMMIT',
    ]);
  });

  test('a failed COMMIT rolls back and rejects every member that was waiting', async () => {
    const { connection, log } = fakeConnection({ statement: 'COMMIT' });
    const group = new GroupCommit(connection);
    const settled = await Promise.allSettled([named(group, log, 'a'), named(group, log, 'b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(log.at(-1)).toBe('ROLLBACK');
  });

  test('when SQLite ends the whole transaction, the members before the failure are rejected too', async () => {
    const { connection, log } = fakeConnection({
      statement: 'RELEASE handoff_tx',
      nth: 2,
      endsTransaction: true,
    });
    const group = new GroupCommit(connection);
    const settled = await Promise.allSettled([named(group, log, 'a'), named(group, log, 'b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(log).not.toContain('COMMIT');
    // The queue goes on: the next transaction opens a new group.
    await expect(named(group, log, 'late')).resolves.toBe('late');
    expect(log.filter((s) => s === 'BEGIN')).toHaveLength(2);
  });

  test('a group closes at maxGroup members; the rest run in the next group', async () => {
    const { connection, log } = fakeConnection();
    const group = new GroupCommit(connection, { maxGroup: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => named(group, log, n)));
    expect(log.filter((s) => s === 'BEGIN')).toHaveLength(3);
    expect(log.filter((s) => s === 'COMMIT')).toHaveLength(3);
  });

  test('when BEGIN fails, every waiting caller gets the error and later work still runs', async () => {
    const { connection, log, failBegin } = fakeConnection();
    const group = new GroupCommit(connection);
    failBegin(new Error('SQLITE_BUSY'));
    const settled = await Promise.allSettled([named(group, log, 'a'), named(group, log, 'b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(log).toEqual([]);
    failBegin(undefined);
    await expect(named(group, log, 'late')).resolves.toBe('late');
  });

  test('idle() resolves once everything queued has been answered', async () => {
    const { connection, log } = fakeConnection();
    const group = new GroupCommit(connection);
    const pending = [named(group, log, 'a'), named(group, log, 'b')];
    await group.idle();
    expect(log.at(-1)).toBe('COMMIT');
    await Promise.all(pending);
  });
});
