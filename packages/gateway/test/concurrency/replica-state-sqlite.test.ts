import { registryKeySources } from '../../src/approvals/registry-key-source.js';
import { Gateway } from '../../src/gateway.js';
import { createHarness } from '../support/harness.js';
import { defineReplicaStateCases } from './replica-state-cases.js';

/*
 * On SQLite one process owns the database file, so the second replica is a second gateway over the first one's
 * store object: its own console sessions object and approver key sources, the same database.
 */
defineReplicaStateCases('SQLite', async () => {
  const h = await createHarness();
  const deps = h.runtime.gateway.deps;
  const b = new Gateway({ ...deps, approverKeys: registryKeySources(deps.store) });
  return { h, a: h.gateway, b, close: h.close };
});
