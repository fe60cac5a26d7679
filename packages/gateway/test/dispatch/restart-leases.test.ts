import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { createGatewayRuntime } from '../../src/runtime.js';
import { TENANT } from '../support/harness.js';
import { webhookCallsPlan, writeCrashConfig } from './dispatch-support.js';

/**
 * Restart recovery of a SQLite gateway (issue 15, chaos-crash follow-up): the process that held the file's writer
 * lock is gone, so every lease on the file is a dead process's, however far its `lease_until` lies ahead. The
 * next gateway on the file ends those leases when it opens it and recovers the rows left `in_flight` at once by
 * the in-doubt rules: a webhook row (the platform dedupes on `webhook-id`) goes back to `pending`, re-sent with
 * the same key; nothing waits for the lease to run out.
 */

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const COPILOT: Principal = {
  id: 'copilot-1',
  tenantId: TENANT,
  roles: ['copilot'],
  via: 'api_key',
};
const PLAN_ID = '019a8f2e-5c4b-7d3e-9a1f-00000000a001';
/** A lease an hour past now: a dead replica's that would block recovery until it ended. */
const FAR_LEASE_MS = 3_600_000;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A gateway folder with one approved plan of two webhook actions; answers the config file and the db path. */
async function approvedOnFile(): Promise<{ configFile: string; dbPath: string }> {
  dir = mkdtempSync(join(tmpdir(), 'handoff-restart-leases-'));
  const configFile = join(dir, 'handoff.config.json');
  await writeCrashConfig(configFile, {
    gatewayId: 'gw-restart',
    adapters: [{ type: 'webhook', signingSecretEnv: 'WEBHOOK_SECRET' }],
  });
  const runtime = await createGatewayRuntime(loadConfigFile(configFile), {
    env: { WEBHOOK_SECRET: SECRET },
  });
  try {
    const view = await runtime.gateway.submitPlan(COPILOT, webhookCallsPlan(PLAN_ID, 1, 2, 10_000));
    expect(view.state).toBe('approved');
  } finally {
    await runtime.close();
  }
  return { configFile, dbPath: join(dir, 'gateway.db') };
}

/** Leaves the first outbox row as a killed dispatcher would: `in_flight`, one attempt, leased far ahead. */
function leaveInFlight(dbPath: string): string {
  const db = new Database(dbPath);
  try {
    const row = db
      .prepare('select idempotency_key k from dispatches order by action_index limit 1')
      .get() as { k: string };
    db.prepare(
      `update dispatches set status = 'in_flight', attempts = 1, lease_owner = 'dead-replica', lease_until = ?
       where idempotency_key = ?`,
    ).run(Date.now() + FAR_LEASE_MS, row.k);
    return row.k;
  } finally {
    db.close();
  }
}

describe('a SQLite gateway restarted on its file', () => {
  test('ends the dead process leases at open and re-queues its in-flight webhook row at once', async () => {
    const { configFile, dbPath } = await approvedOnFile();
    const key = leaveInFlight(dbPath);

    const runtime = await createGatewayRuntime(loadConfigFile(configFile), {
      env: { WEBHOOK_SECRET: SECRET },
    });
    try {
      const row = await runtime.store.transaction((tx) => tx.getOutbox(key));
      expect(row).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: 'RECOVERED_AFTER_CRASH',
      });
      expect(row?.leaseOwner).toBeUndefined();
      const events = await runtime.store.queryLineage({ limit: 1_000 });
      const recovered = events.filter(
        (e) => e.type === 'dispatch.retry_scheduled' && e.data.reason === 'recovered',
      );
      expect(recovered.map((e) => e.data.idempotencyKey)).toEqual([key]);
    } finally {
      await runtime.close();
    }
  });
});
