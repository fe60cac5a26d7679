import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHubSpotFake, type ServedFake, serveFake } from '@handoff/automation-adapter/testing';
import { type LineageEvent, LineageEventSchema } from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { httpClient, refusal } from '../http/http-fixture.js';
import {
  type GatewayChild,
  readFixturePlan,
  runBin,
  runCli,
  startGatewayChild,
  writeJson,
} from './cli-support.js';
import {
  E2E_HUBSPOT_TOKEN,
  expectIntactChain,
  freshPlan,
  E2E_GATEWAY_ID as GATEWAY_ID,
  type GatewayFolder,
  prepareGatewayFolder,
} from './e2e-setup.js';

/**
 * The end-to-end "done when": `handoff gateway start` as a real child process from a YAML config (a JWKS file made
 * by `handoff keys generate`, API keys from `handoff keys api-key`, the policy file, caps, a SQLite file), the real
 * plan fixture submitted with `handoff plan submit`, two approvals signed by `handoff approve`, the lineage read
 * back with `handoff lineage query`, the approved action dispatched to a HubSpot fake served on 127.0.0.1, and
 * SIGTERM ending the process with exit code 0. Then restarts on the same database: the data is kept, nothing is
 * sent twice, and an approval token used before the restart is refused as a replay after it.
 */

const SECOND_PLAN_ID = '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f71';
const TIMEOUT = 60_000;

let folder: GatewayFolder;
const running: GatewayChild[] = [];
const hubspot = createHubSpotFake({ accessToken: E2E_HUBSPOT_TOKEN, workflowIds: ['12345678'] });
let served: ServedFake;

beforeAll(async () => {
  served = await serveFake(hubspot.handlers, hubspot.baseUrl);
  folder = await prepareGatewayFolder(served.url);
}, TIMEOUT);

afterAll(async () => {
  await Promise.all(running.map((child) => child.stop()));
  await served?.close();
  if (folder) rmSync(folder.dir, { recursive: true, force: true });
});

/** Waits (polling the API, bounded) until the plan reaches `state`. */
async function untilState(url: string, planId: string, state: string): Promise<void> {
  const auditor = httpClient(url, folder.apiKey.auditor);
  await expect
    .poll(async () => (await auditor.plans.get.query({ planId })).state, {
      timeout: 20_000,
      interval: 50,
    })
    .toBe(state);
}

async function start(): Promise<GatewayChild> {
  const child = await startGatewayChild(folder.configFile, 20_000, folder.env);
  running.push(child);
  return child;
}

function approveArgs(viewFile: string, who: 'finance' | 'marketing', url?: string): string[] {
  const as = who === 'finance' ? ['finance', 'fiona.finance'] : ['marketing_lead', 'mark.lead'];
  return [
    ...['approve', '--plan-view', viewFile, '--key', folder.keyFile[who]],
    ...['--role', as[0] as string, '--sub', as[1] as string, '--aud', GATEWAY_ID],
    ...['--max-spend', '645.00', '--currency', 'EUR', '--json'],
    ...(url ? ['--submit', url] : []),
  ];
}

/** `handoff lineage query --json` as the auditor (key from $HANDOFF_API_KEY), every event validated. */
async function lineage(url: string): Promise<LineageEvent[]> {
  const run = await runBin(['lineage', 'query', '--url', url, '--limit', '500', '--json'], {
    HANDOFF_API_KEY: folder.apiKey.auditor,
  });
  expect(run.code, run.err).toBe(0);
  const page = JSON.parse(run.out) as { items: unknown[]; nextCursor?: string };
  expect(page.nextCursor).toBeUndefined();
  return page.items.map((e) => LineageEventSchema.parse(e));
}

describe('one gateway process: submit, two approvals, lineage, SIGTERM', () => {
  let gw: GatewayChild;
  let view: PlanView;
  const viewFile = () => join(folder.dir, 'view.json');

  test(
    'gateway start prints its URL as the first stdout line',
    async () => {
      gw = await start();
      expect(gw.info).toMatchObject({
        gatewayId: GATEWAY_ID,
        policyVersion: expect.stringMatching(/^sha256:/),
      });
      expect(gw.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await expect(httpClient(gw.url).health.query()).resolves.toMatchObject({
        status: 'ok',
        gatewayId: GATEWAY_ID,
      });
    },
    TIMEOUT,
  );

  test(
    'handoff plan submit: the plan fixture is awaiting_approval',
    async () => {
      const planFile = writeJson(folder.dir, 'plan.json', freshPlan());
      const run = await runBin([
        'plan',
        'submit',
        planFile,
        '--url',
        gw.url,
        '--api-key',
        folder.apiKey.copilot,
        '--json',
      ]);
      expect(run.code, run.err).toBe(0);
      view = JSON.parse(run.out) as PlanView;
      expect(view).toMatchObject({ state: 'awaiting_approval', submittedBy: 'copilot-1' });
      writeFileSync(viewFile(), run.out);
    },
    TIMEOUT,
  );

  test(
    'handoff approve --submit as finance, then as marketing lead: approved',
    async () => {
      const first = await runBin([
        ...approveArgs(viewFile(), 'finance', gw.url),
        '--api-key',
        folder.apiKey.approver,
      ]);
      expect(first.code, first.err).toBe(0);
      expect(JSON.parse(first.out)).toMatchObject({ state: 'awaiting_approval', decisive: false });
      const second = await runBin(approveArgs(viewFile(), 'marketing', gw.url), {
        HANDOFF_API_KEY: folder.apiKey.approver,
      });
      expect(second.code, second.err).toBe(0);
      expect(JSON.parse(second.out)).toMatchObject({
        state: 'approved',
        decisive: true,
        selectedOptionId: 'call-prior-successes',
      });
    },
    TIMEOUT,
  );

  test(
    'the approved action is dispatched to HubSpot once: one enrolment per contact, then dispatched',
    async () => {
      await untilState(gw.url, view.planId, 'dispatched');
      expect(hubspot.enrollments).toEqual([
        { workflowId: '12345678', email: 'client-0007@example.com' },
        { workflowId: '12345678', email: 'client-0042@example.com' },
      ]);
      expect(hubspot.received.every((c) => c.headers.authorization === '[redacted]')).toBe(true);
      const listed = await runBin(
        ['dispatch', 'list', '--url', gw.url, '--plan', view.planId, '--json'],
        { HANDOFF_API_KEY: folder.apiKey.auditor },
      );
      expect(listed.code, listed.err).toBe(0);
      expect(JSON.parse(listed.out)).toMatchObject([
        { planId: view.planId, adapter: 'hubspot', status: 'succeeded', attempts: 1 },
      ]);
    },
    TIMEOUT,
  );

  test(
    'handoff lineage query (auditor) shows every step in order, on an intact hash chain',
    async () => {
      const events = await lineage(gw.url);
      expectIntactChain(events);
      const steps = events.filter((e) => e.planId === view.planId).map((e) => e.type);
      // One event per transition, each naming the state it entered.
      expect(steps).toEqual([
        'plan.received',
        'approval.accepted',
        'approval.accepted',
        'dispatch.attempted',
        'dispatch.succeeded',
        'plan.settled',
      ]);
      const entered = events
        .filter((e) => e.planId === view.planId && e.data.state !== undefined)
        .map((e) => [e.type, e.data.state]);
      expect(entered).toEqual([
        ['plan.received', 'awaiting_approval'],
        ['approval.accepted', 'awaiting_approval'],
        ['approval.accepted', 'approved'],
        ['dispatch.attempted', 'dispatching'],
        ['plan.settled', 'dispatched'],
      ]);
      const approvers = events.filter((e) => e.type === 'approval.accepted').map((e) => e.actor.id);
      expect(approvers).toEqual(['fiona.finance', 'mark.lead']);
    },
    TIMEOUT,
  );

  test(
    'SIGTERM: the process stops and exits 0',
    async () => {
      expect(await gw.stop()).toBe(0);
      await expect(fetch(gw.url)).rejects.toThrow();
    },
    TIMEOUT,
  );
});

describe('restarts on the same database', () => {
  let token: string;
  let eventsBefore: LineageEvent[];

  test(
    'a second start keeps the plans, approvals and lineage, and adds no seed events',
    async () => {
      const gw = await start();
      const plan = await httpClient(gw.url, folder.apiKey.auditor).plans.get.query({
        planId: readFixturePlan().planId,
      });
      expect(plan).toMatchObject({ state: 'dispatched' });
      expect(plan.approvals.map((a) => a.role)).toEqual(['finance', 'marketing_lead']);
      eventsBefore = await lineage(gw.url);
      expect(eventsBefore.map((e) => e.type)).toContain('dispatch.succeeded');
      expect(hubspot.enrollments).toHaveLength(2);
      expect(eventsBefore.filter((e) => e.type === 'control.caps_set')).toHaveLength(1);
      expectIntactChain(eventsBefore);

      // A second plan, approved once by finance with a token kept for the replay below.
      const planFile = writeJson(folder.dir, 'plan-2.json', freshPlan(SECOND_PLAN_ID));
      const submitted = await runCli(
        'plan',
        'submit',
        planFile,
        '--url',
        gw.url,
        '--api-key',
        folder.apiKey.copilot,
        '--json',
      );
      expect(submitted.code, submitted.err).toBe(0);
      const viewFile = join(folder.dir, 'view-2.json');
      writeFileSync(viewFile, submitted.out);
      const signed = await runCli(...approveArgs(viewFile, 'finance'));
      expect(signed.code, signed.err).toBe(0);
      token = (JSON.parse(signed.out) as { token: string }).token;
      const first = await httpClient(gw.url, folder.apiKey.approver).approvals.submit.mutate({
        token,
      });
      expect(first).toMatchObject({ state: 'awaiting_approval', decisive: false });
      expect(await gw.stop()).toBe(0);
    },
    TIMEOUT,
  );

  test(
    'an approval token used before a restart is APPROVAL_REPLAYED after it, and changes nothing',
    async () => {
      const gw = await start();
      const approver = httpClient(gw.url, folder.apiKey.approver);
      const refused = await refusal(approver.approvals.submit.mutate({ token }));
      expect(refused).toMatchObject({ code: 'APPROVAL_REPLAYED', status: 409 });
      const plan = await httpClient(gw.url, folder.apiKey.auditor).plans.get.query({
        planId: SECOND_PLAN_ID,
      });
      expect(plan.state).toBe('awaiting_approval');
      expect(plan.approvals).toHaveLength(1);
      const events = await lineage(gw.url);
      expectIntactChain(events);
      expect(events.slice(0, eventsBefore.length)).toEqual(eventsBefore);
      const last = events[events.length - 1];
      expect(last).toMatchObject({
        type: 'approval.refused',
        planId: SECOND_PLAN_ID,
        data: { code: 'APPROVAL_REPLAYED' },
      });
      expect(await gw.stop()).toBe(0);
    },
    TIMEOUT,
  );
});
