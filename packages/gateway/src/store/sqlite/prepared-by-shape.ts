import { type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { SqliteDb } from './sqlite-tx.js';

/** A statement drizzle has compiled once and runs with named values. */
interface RunnableStatement {
  run(values: Record<string, unknown>): { changes: number };
}

/** The keys of `values` that hold a value (drizzle leaves `undefined` members out of inserts and updates). */
function definedKeys(values: object): string[] {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .sort();
}

/** `{ key: sql.placeholder(prefix + key) }` for each key. */
function placeholders(keys: readonly string[], prefix = ''): Record<string, Placeholder> {
  return Object.fromEntries(keys.map((k) => [k, sql.placeholder(`${prefix}${k}`)]));
}

/** `values` with only the defined members, each key prefixed. */
function prefixed(values: object, keys: readonly string[], prefix: string) {
  const source = values as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [`${prefix}${k}`, source[k]]));
}

/**
 * Prepared statements for writes whose set of columns varies by call site (a plan insert, a state change
 * patch): one statement is compiled per set of defined columns (its "shape") and kept, so drizzle builds and
 * SQLite compiles each shape once instead of on every call. Shapes come from code, not from input, so the
 * cache stays small.
 */
export class PreparedByShape {
  readonly #db: SqliteDb;
  readonly #statements = new Map<string, RunnableStatement>();

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  #statement(key: string, build: () => RunnableStatement): RunnableStatement {
    let statement = this.#statements.get(key);
    if (!statement) {
      statement = build();
      this.#statements.set(key, statement);
    }
    return statement;
  }

  /** `INSERT INTO table (<defined columns of row>) VALUES (...)`; returns the rows changed. */
  insert(table: SQLiteTable, name: string, row: object): number {
    const keys = definedKeys(row);
    const statement = this.#statement(`insert ${name} ${keys.join(',')}`, () =>
      this.#db.insert(table).values(placeholders(keys)).prepare(),
    );
    return statement.run(prefixed(row, keys, '')).changes;
  }

  /**
   * `UPDATE table SET <defined members of patch> WHERE where(placeholder)`; `match` holds the values of the
   * placeholders `where` names (each `sql.placeholder('where_' + key)`). Returns the rows changed.
   */
  update(
    table: SQLiteTable,
    name: string,
    patch: object,
    where: (column: (key: string) => Placeholder) => SQL | undefined,
    match: Record<string, unknown>,
  ): number {
    const keys = definedKeys(patch);
    // The WHERE's shape is the match's keys: two updates of the same columns under other conditions are two statements.
    const shape = `update ${name} ${keys.join(',')} where ${Object.keys(match).join(',')}`;
    const statement = this.#statement(shape, () =>
      this.#db
        .update(table)
        .set(placeholders(keys, 'set_'))
        .where(where((key) => sql.placeholder(`where_${key}`)))
        .prepare(),
    );
    return statement.run({
      ...prefixed(patch, keys, 'set_'),
      ...prefixed(match, Object.keys(match), 'where_'),
    }).changes;
  }
}
