import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubSpotFake, type ServedFake, serveFake } from '@handoff/automation-adapter/testing';
import type { HandoffPlan } from '@handoff/protocol';
import { http } from 'msw';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { isGatewayError } from '../../src/errors.js';
import { createGatewayRuntime } from '../../src/runtime.js';
import { expectIntactChain, freshPlan } from '../cli/e2e-setup.js';
import { writeCrashConfig } from '../dispatch/dispatch-support.js';
import { TENANT } from '../support/harness.js';

/**
 * Rollback across a gateway crash: a real gateway process runs a plan's compensation (a HubSpot unenrolment) and is
 * killed with SIGKILL while the request is at the platform (the fake applied it and holds the answer). The
 * restarted gateway finds the compensation in flight; HubSpot dedupes on no key, so it is `in_doubt`, never sent
 * again: the platform sees one unenrolment. An operator confirms it, the rollback completes once, and a second
 * rollback of the plan is refused.
 */

const CHILD = join(new URL('.', import.meta.url).pathname, '../dispatch/crash-child.ts');
const BASE = 'https://hooks.example.test';
const TOKEN = 'pat-crash-test';
const PLAN_ID = '019a8f2e-5c4b-7d3e-9a1f-00000000a11b';
const OPERATOR: Principal = {
  id: 'operator-1',
  tenantId: TENANT,
  roles: ['operator'],
  via: 'api_key',
};
const COPILOT: Principal = {
  id: 'copilot-1',
  tenantId: TENANT,
  roles: ['copilot'],
  via: 'api_key',
};

const fake = createHubSpotFake({ accessToken: TOKEN, baseUrl: BASE, workflowIds: ['12345678'] });
let dir: string;
let configFile: string;
let served: ServedFake;
let unenrolments = 0;
let onUnenrol: () => void = () => undefined;

/** The fixture plan, due now, enrolling one contact in HubSpot workflow 12345678 (EUR 100.00). */
function enrolPlan(): HandoffPlan {
  const plan = freshPlan(PLAN_ID);
  const option = plan.options[0];
  const enrol = option?.actions[0];
  if (!option || enrol?.type !== 'enroll_in_workflow') throw new Error('fixture changed');
  option.actions = [
    {
      ...enrol,
      estimatedCost: { amountMinor: 10_000, currency: 'EUR' },
      params: { ...enrol.params, contacts: [{ email: 'client-0007@example.com' }] },
    },
  ];
  return plan;
}

function openRuntime() {
  return createGatewayRuntime(loadConfigFile(configFile), {
    env: { HUBSPOT_TOKEN: TOKEN },
    fetch: (input, init) => fetch(String(input).replace(BASE, served.url), init),
  });
}

/** Runs the crash child until it prints `idle` (true) or, when `killOnUnenrol`, kills it at the unenrolment. */
function round(killOnUnenrol: boolean): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=@handoff/source', '--import', 'tsx', CHILD, configFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HUBSPOT_TOKEN: TOKEN, FAKE_URL: served.url },
      },
    );
    let out = '';
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    // The fake holds the unenrolment's answer (a timeout fault, applied first): the child is killed mid-request.
    onUnenrol = killOnUnenrol
      ? () => setTimeout(() => child.kill('SIGKILL'), 200)
      : () => undefined;
    child.once('exit', (code, signal) => {
      if (out.includes('idle\n')) resolve(true);
      else if (signal === 'SIGKILL') resolve(false);
      else reject(new Error(`crash child exited ${code ?? signal}\n${out}\n${err}`));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-rollback-crash-'));
  configFile = join(dir, 'handoff.config.json');
  await writeCrashConfig(configFile, {
    gatewayId: 'gw-rollback-crash',
    adapters: [{ type: 'hubspot', accessTokenEnv: 'HUBSPOT_TOKEN', baseUrl: BASE }],
    extra: { rollback: { withoutApproval: ['enroll_in_workflow'] } },
  });
  const counter = http.delete(`${BASE}/*`, () => {
    unenrolments += 1;
    onUnenrol();
    return undefined;
  });
  served = await serveFake([counter, ...fake.handlers], BASE);
}, 60_000);

afterAll(async () => {
  await served?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rollback across a gateway crash', () => {
  test('a compensation killed in flight is never sent twice; the rollback completes once', async () => {
    let runtime = await openRuntime();
    expect((await runtime.gateway.submitPlan(COPILOT, enrolPlan())).state).toBe('approved');
    await runtime.close();
    expect(await round(false)).toBe(true);
    expect(fake.enrollments).toEqual([
      { workflowId: '12345678', email: 'client-0007@example.com' },
    ]);

    runtime = await openRuntime();
    const asked = await runtime.gateway.rollbackPlan(OPERATOR, PLAN_ID, 'wrong audience');
    expect(asked).toMatchObject({ status: 'queued', compensations: [{ method: 'unenroll' }] });
    await runtime.close();

    fake.inject({ kind: 'timeout', applied: true });
    expect(await round(true)).toBe(false);
    expect(unenrolments).toBe(1);
    expect(fake.enrollments).toEqual([]);

    // The restarted gateway recovers the in-flight compensation as in doubt and sends nothing.
    expect(await round(false)).toBe(true);
    expect(unenrolments).toBe(1);

    runtime = await openRuntime();
    try {
      const [, compensation] = await runtime.store.transaction((tx) =>
        tx.outboxForPlan(TENANT, PLAN_ID),
      );
      expect(compensation).toMatchObject({ status: 'in_doubt', attempts: 1 });
      await runtime.gateway.resolveDispatch(OPERATOR, {
        idempotencyKey: compensation?.idempotencyKey ?? '',
        resolution: 'confirm',
        reason: 'client-0007 is out of the workflow in HubSpot',
      });
      const again = await runtime.gateway.rollbackPlan(OPERATOR, PLAN_ID, 'again').catch((e) => e);
      expect(isGatewayError(again) && again.code).toBe('ROLLBACK_ALREADY_REQUESTED');
      const events = await runtime.store.queryLineage({ limit: 100_000 });
      expectIntactChain(events);
      const types = events.filter((e) => e.planId === PLAN_ID).map((e) => e.type);
      expect(types.filter((t) => t === 'rollback.attempted')).toHaveLength(1);
      expect(types.filter((t) => t === 'rollback.completed')).toHaveLength(1);
      // Confirmed, not re-sent: nothing spent is given back for an unenrolment, so no budget line.
      expect(types.slice(-3)).toEqual([
        'rollback.in_doubt',
        'rollback.succeeded',
        'rollback.completed',
      ]);
    } finally {
      await runtime.close();
    }
    expect(unenrolments).toBe(1);
  }, 120_000);
});
