import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebhookFake, type ServedFake, serveFake } from '@handoff/automation-adapter/testing';
import type { HandoffPlan } from '@handoff/protocol';
import { http } from 'msw';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { createGatewayRuntime } from '../../src/runtime.js';
import { expectChained } from '../support/expect-chained.js';
import { TENANT } from '../support/harness.js';
import { webhookCallsPlan, writeCrashConfig } from './dispatch-support.js';

/**
 * Crash safety of the outbox: a real gateway process dispatching 40 webhook actions is killed with SIGKILL at
 * random points, again and again, and restarted on the same database until it finds nothing left to do. The
 * webhook platform dedupes on `webhook-id` (the action's idempotency key), so every action must be applied
 * exactly once there, every plan must end dispatched with its budget committed, and the lineage must verify.
 */

const CHILD = join(new URL('.', import.meta.url).pathname, 'crash-child.ts');
const PLANS = 10;
const ACTIONS_PER_PLAN = 4;
const MAX_ROUNDS = 45;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const COPILOT: Principal = {
  id: 'copilot-1',
  tenantId: TENANT,
  roles: ['copilot'],
  via: 'api_key',
};

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The fixture plan, due now, with its recommended option made of four webhook calls (EUR 100.00 each). */
function webhookPlan(index: number): HandoffPlan {
  // Real time: the child runs on the system clock, so the plan's window is moved to now.
  const planId = `019a8f2e-5c4b-7d3e-9a1f-${String(index).padStart(12, '0')}`;
  return webhookCallsPlan(planId, index, ACTIONS_PER_PLAN, 10_000);
}

let dir: string;
let configFile: string;
let served: ServedFake;
const fake = createWebhookFake({ baseUrl: 'https://hooks.example.test', secret: SECRET });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-crash-'));
  configFile = join(dir, 'handoff.config.json');
  await writeCrashConfig(configFile, {
    gatewayId: 'gw-crash',
    adapters: [{ type: 'webhook', signingSecretEnv: 'WEBHOOK_SECRET' }],
  });
  const runtime = await createGatewayRuntime(loadConfigFile(configFile), {
    env: { WEBHOOK_SECRET: SECRET },
  });
  for (let i = 1; i <= PLANS; i += 1) {
    const view = await runtime.gateway.submitPlan(COPILOT, webhookPlan(i));
    expect(view.state).toBe('approved');
  }
  await runtime.close();
  const counter = http.post(`${fake.baseUrl}/*`, () => {
    onRequest();
    return undefined;
  });
  served = await serveFake([counter, ...fake.handlers], fake.baseUrl);
}, 60_000);

afterAll(async () => {
  await served?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Called on every request the webhook fake receives, before the fake handles it. */
let onRequest: () => void = () => undefined;

/**
 * Runs the child until it prints `idle` (true), or kills it with SIGKILL (false) `delayMs` after the fake received
 * the `atRequest`-th request of this round: while that request is at the platform, or just after, before or while
 * its outcome is recorded. Counting requests, not time, makes every round progress whatever the machine's load.
 */
function round(atRequest: number, delayMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=@handoff/source', '--import', 'tsx', CHILD, configFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, WEBHOOK_SECRET: SECRET, FAKE_URL: served.url },
      },
    );
    let out = '';
    let err = '';
    let idle = false;
    let timer: NodeJS.Timeout | undefined;
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    let seen = 0;
    onRequest = () => {
      seen += 1;
      if (seen === atRequest) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('idle\n')) {
        idle = true;
        clearTimeout(timer);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // `idle` was printed: the outbox was done, whether or not the kill came while the process was closing.
      if (idle) resolve(true);
      else if (signal === 'SIGKILL') resolve(false);
      else reject(new Error(`crash child exited ${code ?? signal}\n${out}\n${err}`));
    });
  });
}

describe('the outbox survives SIGKILL at any point of a dispatch', () => {
  test('every action is applied exactly once at the platform, plans settle, lineage verifies', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    let kills = 0;
    let finished = false;
    const progress: number[] = [];
    for (let i = 0; i < MAX_ROUNDS && !finished; i += 1) {
      // From the 2nd request on: a round re-sends at most the one row its predecessor left in flight, so every
      // killed round applies at least one new action, and 41 rounds always suffice.
      finished = await round(2 + Math.floor(random() * 8), Math.floor(random() * 20));
      if (!finished) kills += 1;
      progress.push(fake.applied.length);
    }
    expect(finished, `seed ${seed}: still dispatching, applied per round ${progress}`).toBe(true);
    expect(kills, `seed ${seed}: no round was killed`).toBeGreaterThan(0);

    const runtime = await createGatewayRuntime(loadConfigFile(configFile), {
      env: { WEBHOOK_SECRET: SECRET },
    });
    try {
      const rows = await runtime.store.transaction((tx) =>
        tx.outboxByStatus(
          ['pending', 'in_flight', 'succeeded', 'dead', 'in_doubt', 'abandoned'],
          1000,
        ),
      );
      expect(rows).toHaveLength(PLANS * ACTIONS_PER_PLAN);
      expect(
        rows.filter((r) => r.status !== 'succeeded'),
        `seed ${seed}`,
      ).toEqual([]);

      const appliedIds = fake.applied.map((c) => c.headers['webhook-id']);
      expect(appliedIds.sort(), `seed ${seed}`).toEqual(rows.map((r) => r.idempotencyKey).sort());
      expect(fake.received.length).toBeGreaterThanOrEqual(appliedIds.length);

      for (let i = 1; i <= PLANS; i += 1) {
        const planId = webhookPlan(i).planId;
        const record = await runtime.store.transaction((tx) => tx.getPlan(TENANT, planId));
        expect(record?.state, `${planId}, seed ${seed}`).toBe('dispatched');
        const ledger = await runtime.store.transaction((tx) => tx.ledgerForPlan(TENANT, planId));
        expect(ledger.filter((l) => l.status === 'reserved')).toEqual([]);
        const committed = ledger.filter((l) => l.status === 'committed');
        expect(committed.map((l) => l.amountMinor)).toEqual([ACTIONS_PER_PLAN * 10_000]);
      }

      const events = await runtime.store.queryLineage({ limit: 100_000 });
      // One chain per plan (and the tenant's own), each linked and hashed.
      expect(expectChained(events)).toBeGreaterThanOrEqual(PLANS);
      const succeeded = events.filter((e) => e.type === 'dispatch.succeeded');
      expect(succeeded).toHaveLength(PLANS * ACTIONS_PER_PLAN);
    } finally {
      await runtime.close();
    }
  }, 300_000);
});
