import { readFileSync } from 'node:fs';
import { type PgTable, getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core';
import { type SQLiteTable, getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migratePostgres } from '../../../src/store/postgres/postgres-migrate.js';
import * as pgSchema from '../../../src/store/postgres/schema.js';
import * as sqliteSchema from '../../../src/store/sqlite/schema.js';
import { describePostgres, postgresUrlForTest } from '../../support/postgres.js';

/** How many migrations are committed (drizzle-kit's journal). */
const MIGRATIONS = JSON.parse(
  readFileSync(new URL('../../../drizzle-postgres/meta/_journal.json', import.meta.url), 'utf8'),
).entries.length;

/** Table name -> sorted column names, of every table a schema module exports. */
function shape(tables: Array<{ name: string; columns: Array<{ name: string }> }>) {
  return Object.fromEntries(
    tables.map((t) => [t.name, t.columns.map((c) => c.name).sort()] as const).sort(),
  );
}

it('names the same tables and columns as the SQLite schema', () => {
  const pgTables = Object.values(pgSchema).map((t) => pgTableConfig(t as PgTable));
  const sqliteTables = Object.values(sqliteSchema).map((t) => sqliteTableConfig(t as SQLiteTable));
  const sqlite = shape(sqliteTables);
  const postgres = shape(pgTables);
  expect(Object.keys(postgres)).toEqual(Object.keys(sqlite));
  for (const [table, columns] of Object.entries(sqlite)) {
    // Columns PostgreSQL adds for multi-replica work (issue 15) are checked below; the rest are the same.
    expect(postgres[table], table).toEqual(expect.arrayContaining(columns));
  }
});

describePostgres('PostgreSQL migrations', () => {
  let pools: pg.Pool[] = [];
  beforeAll(async () => {
    const url = await postgresUrlForTest();
    pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('applies each migration once when replicas migrate at the same time, and again is a no-op', async () => {
    await Promise.all([...pools, ...pools].map((p) => migratePostgres(p)));
    const [pool] = pools;
    if (!pool) throw new Error('no pool');
    const applied = await pool.query('select count(*)::int as n from drizzle.__drizzle_migrations');
    expect(applied.rows[0].n).toBe(MIGRATIONS);
    await migratePostgres(pool);
    const again = await pool.query('select count(*)::int as n from drizzle.__drizzle_migrations');
    expect(again.rows[0].n).toBe(MIGRATIONS);
    const columns = await pool.query(
      `select column_name, data_type from information_schema.columns
       where table_name = 'budget_usage' order by column_name`,
    );
    expect(columns.rows).toEqual([
      { column_name: 'cap_id', data_type: 'text' },
      { column_name: 'committed_minor', data_type: 'bigint' },
      { column_name: 'period_key', data_type: 'text' },
      { column_name: 'reserved_minor', data_type: 'bigint' },
      { column_name: 'tenant_id', data_type: 'text' },
    ]);
    // No advisory lock survives the migrations (the next replica to start would wait for ever).
    const locks = await pool.query(
      `select count(*)::int as n from pg_locks where locktype = 'advisory'`,
    );
    expect(locks.rows[0].n).toBe(0);
  });
});
