import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase, describePostgres } from '../support/postgres.js';
import { defineStoreConformance } from './suite.js';

/**
 * The conformance suite on PostgreSQL (a real cluster: `test/support/postgres.ts`): `count` stores are `count`
 * connection pools on one fresh database, each what a gateway replica opens, so the races are real row-level
 * contention between connections (conditional updates, `FOR UPDATE SKIP LOCKED`, unique keys, row locks, deadlock
 * retries), not turns on one writer.
 */
describePostgres('PostgreSQL store', () => {
  defineStoreConformance('postgres', async (count) => {
    const database = await createTestDatabase();
    // One at a time: the first migrates, the others find it done (concurrent opening is tested on its own).
    const stores: PostgresStore[] = [];
    for (let i = 0; i < count; i++) {
      stores.push(await openPostgresStore({ url: database.url, pool: { max: 4 } }));
    }
    return {
      stores,
      async close() {
        await Promise.all(stores.map((store) => store.close()));
        await database.drop();
      },
    };
  });
});
