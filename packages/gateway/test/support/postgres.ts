import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject, it } from 'vitest';

/**
 * PostgreSQL in tests (issue 15): a real server, never a mock. The cluster is the one named by
 * `HANDOFF_TEST_POSTGRES_URL` (`.ci/run` starts one and exports it), else the one the `gateway-postgres` project's
 * globalSetup started (`postgres-global-setup.ts`, with `scripts/postgres-cluster.mjs`). Test files whose name
 * contains `postgres` run in that project (`vitest.postgres.config.ts`); another file using this module runs when
 * the variable is set.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The cluster's admin URL, or why there is none. */
    handoffPostgres: { url: string } | { unavailable: string };
  }
}

/** The admin URL of the test cluster, or a sentence saying why there is none. */
function cluster(): { url: string } | { unavailable: string } {
  const fromEnv = process.env.HANDOFF_TEST_POSTGRES_URL;
  if (fromEnv) return { url: fromEnv };
  try {
    return inject('handoffPostgres') ?? { unavailable: 'no globalSetup started a cluster' };
  } catch {
    return { unavailable: 'HANDOFF_TEST_POSTGRES_URL is unset and no globalSetup ran' };
  }
}

let database: Promise<string> | undefined;

/**
 * The URL of a database of its own for the calling test file (created on first call, then the same one; test
 * files run in separate module graphs, so each gets a fresh one). Databases are named `handoff_test_<hex>` and
 * left in place: on a throwaway cluster they go with it; on a shared one they are there to inspect.
 *
 * @throws Error when no cluster is available (see {@link describePostgres}, which does not run then).
 */
export function postgresUrlForTest(): Promise<string> {
  database ??= createDatabase();
  return database;
}

async function createDatabase(): Promise<string> {
  const found = cluster();
  if ('unavailable' in found) throw new Error(`No PostgreSQL test cluster: ${found.unavailable}`);
  const name = `handoff_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: found.url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(found.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A `describe` of PostgreSQL cases: runs them when a cluster is available; skips them when none is, except in CI
 * (`CI=true`), where it fails with the reason instead, so a PostgreSQL suite is never silently skipped there.
 */
export function describePostgres(name: string, cases: () => void): void {
  const found = cluster();
  if ('url' in found) {
    describe(name, cases);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a PostgreSQL cluster (CI=true: PostgreSQL suites never skip)', () => {
        throw new Error(`No PostgreSQL test cluster: ${found.unavailable}`);
      });
    });
  } else {
    describe.skip(`${name} (no PostgreSQL: ${found.unavailable})`, cases);
  }
}
