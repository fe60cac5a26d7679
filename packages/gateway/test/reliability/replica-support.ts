import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { type ChaosChild, startChaosChild } from './chaos-process.js';
import { type ChaosConfigOptions, type ChaosKeys, writeChaosConfig } from './chaos-support.js';

/*
 * Several gateway processes (replicas) on one PostgreSQL database, as an operator runs them (docs/postgres.md):
 * the same config in each replica's folder but for its witness file, the database URL given by
 * `HANDOFF_DATABASE_URL` (the config names a SQLite file the variable overrides, so the override is what runs),
 * short leases and sequencer intervals so that takeovers happen in a test's time, not sleeps.
 */

/** How long a replica's outbox lease lasts (ms): longer than the webhook adapter's 1.5 s timeout. */
export const REPLICA_LEASE_MS = 2_500;
/** How often each replica looks for expired leases (ms). */
export const REPLICA_RECOVER_MS = 250;
/** The sequencer's batch interval on every replica (ms). */
export const REPLICA_SEQUENCER_MS = 250;

/** One replica: its folder (config, witness file) and, while it runs, its process. */
export interface Replica {
  index: number;
  dir: string;
  configFile: string;
  witnessFile: string;
  child: ChaosChild | undefined;
}

/** The replicas of one gateway and what they share. */
export interface ReplicaSet {
  replicas: Replica[];
  keys: ChaosKeys;
  /** The environment every replica runs with (database URL, webhook secret, the fake's URL). */
  env: NodeJS.ProcessEnv;
  /** Starts replica `i` (again); resolves once it serves. */
  start(i: number): Promise<ChaosChild>;
  /** The replicas running now. */
  live(): Replica[];
  /** SIGKILLs replica `i`; resolves once it is gone. */
  kill(i: number): Promise<void>;
  /** SIGTERMs every running replica; resolves with their exit codes. */
  stopAll(): Promise<(number | null)[]>;
}

/** Options of {@link replicaSet}. */
export interface ReplicaSetOptions {
  root: string;
  count: number;
  databaseUrl: string;
  finance: SigningKeyPair;
  /** The private checkpoint JWK every replica signs tree heads with (one gateway, one key). */
  checkpointKey: SigningKeyPair;
  env: NodeJS.ProcessEnv;
  config?: ChaosConfigOptions;
}

/** Writes `count` replica folders under `root`; starts none. */
export function replicaSet(options: ReplicaSetOptions): ReplicaSet {
  const keys: ChaosKeys = { copilot: generateApiKey(), approver: generateApiKey() };
  const replicas: Replica[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const dir = join(options.root, `replica-${index}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'checkpoint.jwk.json'),
      JSON.stringify(options.checkpointKey.privateJwk),
      { mode: 0o600 },
    );
    const { configFile } = writeChaosConfig(
      dir,
      options.finance,
      {
        ...options.config,
        extra: {
          checkpoints: {
            keyFile: 'checkpoint.jwk.json',
            witnessFile: 'witness.jsonl',
            intervalMs: REPLICA_SEQUENCER_MS,
          },
          ...options.config?.extra,
        },
        dispatch: {
          leaseMs: REPLICA_LEASE_MS,
          recoverEveryMs: REPLICA_RECOVER_MS,
          ...options.config?.dispatch,
        },
      },
      keys,
    );
    replicas.push({
      index,
      dir,
      configFile,
      witnessFile: join(dir, 'witness.jsonl'),
      child: undefined,
    });
  }
  const env = { ...options.env, HANDOFF_DATABASE_URL: options.databaseUrl };
  const at = (i: number): Replica => {
    const replica = replicas[i];
    if (!replica) throw new Error(`No replica ${i}`);
    return replica;
  };
  return {
    replicas,
    keys,
    env,
    start: async (i) => {
      const replica = at(i);
      replica.child = await startChaosChild(replica.configFile, env);
      return replica.child;
    },
    live: () => replicas.filter((r) => r.child !== undefined),
    kill: async (i) => {
      const replica = at(i);
      const child = replica.child;
      replica.child = undefined;
      await child?.kill();
    },
    stopAll: () =>
      Promise.all(
        replicas.map(async (replica) => {
          const child = replica.child;
          replica.child = undefined;
          return child ? child.stop() : null;
        }),
      ),
  };
}

/** Runs one read on the database at `url` (its own connection, closed after) and answers its rows. */
export async function queryRows<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
