import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubSpotFake, type ServedFake, serveFake } from '@handoff/automation-adapter/testing';
import type { HandoffPlan } from '@handoff/protocol';
import Database from 'better-sqlite3';
import { http } from 'msw';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { runBin } from '../cli/cli-support.js';
import { freshPlan } from '../cli/e2e-setup.js';
import { rawCall } from '../http/http-fixture.js';
import { type ChaosChild, killLiveChildren, startChaosChild } from './chaos-process.js';
import {
  ACTION_COST,
  ACTIONS_PER_PLAN,
  CHAOS_GATEWAY_ID,
  type ChaosKeys,
  financeToken,
  writeChaosConfig,
} from './chaos-support.js';
import { tally } from './tally.js';

/**
 * Observation 6 of issue 13: two gateways on one SQLite file. Gateway 1 (a real process) has a HubSpot enrolment
 * in flight (the fake holds the request); a second `handoff gateway start` on the same file must be refused,
 * naming gateway 1, and must not touch the database: on the old code it started, took gateway 1's in-flight row
 * for a crash's and marked it `in_doubt` (HubSpot does not dedupe), so gateway 1's success was never recorded.
 * Then gateway 1 is SIGKILLed: the kernel frees its lock, and a new gateway starts on the file at once.
 */

const TOKEN = 'pat-single-writer';
const WORKFLOW = '12345678';
const PLAN_1 = '019a8f2e-5c4b-7d3e-9a1f-5e0000000001';
const PLAN_2 = '019a8f2e-5c4b-7d3e-9a1f-5e0000000002';

let dir: string;
let configFile: string;
let keys: ChaosKeys;
let finance: SigningKeyPair;
let served: ServedFake;
const hubspot = createHubSpotFake({ accessToken: TOKEN, workflowIds: [WORKFLOW] });
let releaseHeld: () => void = () => undefined;
let heldArrived: () => void = () => undefined;
const held = new Promise<void>((resolve) => {
  heldArrived = resolve;
});
let holding = true;
/** Holds the first enrolment request until `releaseHeld()`, then lets it through to the HubSpot fake. */
const holdFirst = http.post(`${hubspot.baseUrl}/automation/*`, async () => {
  if (!holding) return undefined;
  holding = false;
  heldArrived();
  await new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  return undefined;
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-single-writer-'));
  finance = await generateSigningKeyPair({ alg: 'EdDSA' });
  served = await serveFake([holdFirst, ...hubspot.handlers], hubspot.baseUrl);
  const written = writeChaosConfig(dir, finance);
  configFile = written.configFile;
  keys = written.keys;
  // The chaos gateway, dispatching to HubSpot (no idempotency key: a lost outcome becomes in_doubt).
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  config.adapters = [
    { type: 'hubspot', accessTokenEnv: 'HUBSPOT_TOKEN', baseUrl: served.url, timeoutMs: 60_000 },
  ];
  writeFileSync(configFile, JSON.stringify(config));
});

afterAll(async () => {
  releaseHeld();
  killLiveChildren();
  await served?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ENV = { FAKE_URL: 'http://127.0.0.1:9', HUBSPOT_TOKEN: TOKEN };

/** The fixture plan under `planId`, its recommended option the one HubSpot enrolment, costing what finance signs. */
function enrolmentPlan(planId: string): HandoffPlan {
  const plan = freshPlan(planId);
  const option = plan.options[0];
  const enrol = option?.actions[0];
  if (!option || !enrol) throw new Error('fixture changed');
  option.actions = [
    { ...enrol, estimatedCost: { amountMinor: ACTIONS_PER_PLAN * ACTION_COST, currency: 'EUR' } },
  ];
  return plan;
}

/** Submits and approves (finance) a plan on a gateway; the gateway then dispatches it. */
async function submitAndApprove(url: string, planId: string): Promise<PlanView> {
  const submitted = await rawCall(url, 'plans.submit', {
    type: 'mutation',
    input: { plan: enrolmentPlan(planId) },
    credential: keys.copilot,
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  const view = (submitted.body as { result: { data: PlanView } }).result.data;
  const approved = await rawCall(url, 'approvals.submit', {
    type: 'mutation',
    input: { token: await financeToken(finance, view) },
    credential: keys.approver,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return view;
}

/** The plan's outbox rows and the dispatch events of its lineage, read from the file (read-only). */
function dispatchFacts(planId: string) {
  const db = new Database(join(dir, 'gateway.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('select status, attempts, last_error as lastError from dispatches where plan_id = ?')
      .all(planId);
    const events = db
      .prepare(
        "select type from lineage_events where plan_id = ? and type like 'dispatch.%' order by id",
      )
      .all(planId)
      .map((e) => (e as { type: string }).type);
    const state = (
      db.prepare('select state from plans where plan_id = ?').get(planId) as { state: string }
    ).state;
    return { rows, events, state };
  } finally {
    db.close();
  }
}

async function untilDispatched(planId: string): Promise<void> {
  await expect
    .poll(() => dispatchFacts(planId).state, { timeout: 20_000, interval: 50 })
    .toBe('dispatched');
}

describe('trust: single writer', () => {
  test('observation 6: a second gateway on a database file in use refuses to start, naming the holder', async ({
    task,
  }) => {
    const t = tally(task, 'trust: single writer');
    let first: ChaosChild | undefined = await startChaosChild(configFile, ENV);

    // Gateway 1 has an enrolment in flight at HubSpot.
    await submitAndApprove(first.url, PLAN_1);
    await held;
    expect(dispatchFacts(PLAN_1).rows).toEqual([
      { status: 'in_flight', attempts: 1, lastError: null },
    ]);

    // Gateway 2 on the same file: refused with the holder named, exit code 5, nothing written.
    t.tried();
    const second = await runBin(['gateway', 'start', '--config', configFile], ENV);
    // Gateway 1's in-flight row is untouched (the old code marked it in_doubt here, RECOVERED_AFTER_CRASH).
    expect(dispatchFacts(PLAN_1).rows).toEqual([
      { status: 'in_flight', attempts: 1, lastError: null },
    ]);
    expect(second.code, second.err).toBe(EXIT.IN_USE);
    expect(second.err).toContain('error DATABASE_IN_USE');
    expect(second.err).toContain(`gateway '${CHAOS_GATEWAY_ID}' (pid ${first.pid} on host `);
    expect(second.err).toMatch(/since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    t.held();

    // Gateway 1 records its own outcome, and keeps working.
    t.tried();
    releaseHeld();
    await untilDispatched(PLAN_1);
    await submitAndApprove(first.url, PLAN_2);
    await untilDispatched(PLAN_2);
    for (const planId of [PLAN_1, PLAN_2]) {
      const facts = dispatchFacts(planId);
      expect(facts.rows).toEqual([{ status: 'succeeded', attempts: 1, lastError: null }]);
      expect(facts.events).toEqual(['dispatch.attempted', 'dispatch.succeeded']);
    }
    expect(hubspot.enrollments).toHaveLength(2 * 2);
    t.held();

    // SIGKILL: the kernel frees the lock; a new gateway starts on the file at once and serves it.
    t.tried();
    await first.kill();
    first = undefined;
    const third = await startChaosChild(configFile, ENV);
    const got = await rawCall(third.url, 'plans.get', {
      type: 'query',
      input: { planId: PLAN_1 },
      credential: keys.copilot,
    });
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body).toMatchObject({ result: { data: { state: 'dispatched' } } });
    expect(await third.stop()).toBe(0);
    t.held();
  });
});
