/**
 * Where a story's gateway keeps its data. By default a SQLite file in the story's folder (`gateway.db`, wiped with
 * the folder at every run): nothing to install. With `HANDOFF_DATABASE_URL` set to a PostgreSQL server
 * (`postgres://user@host:port/db`), a fresh database of its own on that server for every run
 * (`handoff_<story>_<hex>`, created with `CREATE DATABASE`, so the role needs `CREATEDB`), so a story's
 * expectations hold run after run, and the gateway, the auditor's offline verifier and the CLI hints all use it.
 * The server's other databases are never touched.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

/** The environment variable naming a PostgreSQL server for the stories (the gateway's own override). */
export const DATABASE_URL_ENV = 'HANDOFF_DATABASE_URL';

/** A story's database: what its config says, where an auditor or the CLI finds it, and how to name it. */
export interface StoryDatabase {
  /** The config's `database` section. */
  config: { path: string } | { url: string };
  /** The environment the gateway runs with: its `HANDOFF_DATABASE_URL`, when set, names this very database. */
  env: NodeJS.ProcessEnv;
  /** What `--db` and `openDatabaseSource` take: the SQLite file's path, or the database's URL. */
  location: string;
  /** How the story prints it (never a password). */
  label: string;
}

/** The URL of database `name` on the server of `url` (same user, host, port and parameters). */
function withDatabase(url: string, name: string): string {
  const next = new URL(url);
  next.pathname = `/${name}`;
  return next.toString();
}

/** `url` without its password, for printing. */
function shown(url: string): string {
  const safe = new URL(url);
  if (safe.password) safe.password = '***';
  return safe.toString();
}

/**
 * The database of one run of `story`, whose folder is `dir`: a SQLite file there, or (with `HANDOFF_DATABASE_URL`
 * in `env`) a new PostgreSQL database on that server.
 *
 * @throws Error when the variable is not a `postgres://` or `postgresql://` URL, or the database cannot be
 *   created (the server's own message: unreachable, authentication, no `CREATEDB`).
 */
export async function storyDatabase(
  dir: string,
  story: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StoryDatabase> {
  const server = env[DATABASE_URL_ENV];
  if (server === undefined || server === '') {
    const path = join(dir, 'gateway.db');
    return { config: { path: 'gateway.db' }, env, location: path, label: `SQLite ${path}` };
  }
  if (!/^postgres(ql)?:\/\//.test(server)) {
    throw new Error(`${DATABASE_URL_ENV} must be a postgres:// or postgresql:// URL`);
  }
  const name = `handoff_${story.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    // The name is built from [a-z0-9_] only: safe as an identifier.
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(server, name);
  return {
    config: { url },
    env: { ...env, [DATABASE_URL_ENV]: url },
    location: url,
    label: `PostgreSQL ${shown(url)}`,
  };
}
