import { createHarness } from '../support/harness.js';
import { describePostgres, postgresUrlForTest } from '../support/postgres.js';
import { defineReplicaStateCases } from './replica-state-cases.js';

/*
 * On PostgreSQL the two replicas are two runtimes, each with its own pool, on one database (a fresh one per test:
 * the cases change caps and keys), with the same config and approver keys.
 */
let n = 0;
describePostgres('replica state on PostgreSQL', () => {
  defineReplicaStateCases('PostgreSQL', async () => {
    const base = new URL(await postgresUrlForTest());
    n += 1;
    const name = `${base.pathname.slice(1)}_${n}`;
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    base.pathname = `/${name}`;
    const config = { database: { url: base.toString() } };
    const h = await createHarness({ config });
    const second = await createHarness({ config, keys: h.keys });
    return {
      h,
      a: h.gateway,
      b: second.gateway,
      close: async () => {
        await second.close();
        await h.close();
      },
    };
  });
});
