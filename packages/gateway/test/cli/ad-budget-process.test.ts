import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMetaFake, type ServedFake, serveFake } from '@handoff/automation-adapter/testing';
import type { Action, HandoffPlan, LineageEvent } from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { type GatewayChild, runBin, startGatewayChild, writeJson } from './cli-support.js';
import {
  freshPlan,
  E2E_GATEWAY_ID as GATEWAY_ID,
  type GatewayFolder,
  prepareGatewayFolder,
} from './e2e-setup.js';

/**
 * The ad platform "done when": `handoff gateway start` as a real child process, configured with a Meta adapter
 * (`type: meta`, its token from the environment) pointed at the Meta fake served on 127.0.0.1. An approved daily
 * budget move is dispatched after a preflight (the account, the campaign and its minimum budgets read first); a
 * plan whose `currentBudget` went stale after it was made (the budget edited in Ads Manager) is refused by the
 * preflight as `CONFLICT` before any write reaches the platform, and the lineage records it with Meta's figure.
 */

const TIMEOUT = 60_000;
const ACCOUNT = '5550001';
const TOKEN = 'EAAB-e2e-token';
const STALE_PLAN_ID = '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f99';
const meta = createMetaFake({
  accessToken: TOKEN,
  adAccountId: ACCOUNT,
  currency: 'EUR',
  objects: [
    { id: '100', kind: 'campaign', status: 'ACTIVE', daily_budget: 40_000 },
    { id: '300', kind: 'campaign', status: 'ACTIVE', daily_budget: 60_000 },
  ],
});
let served: ServedFake;
let folder: GatewayFolder;
let gw: GatewayChild;

beforeAll(async () => {
  served = await serveFake(meta.handlers, meta.baseUrl);
  folder = await prepareGatewayFolder(served.url);
  const config = parse(readFileSync(folder.configFile, 'utf8')) as Record<string, unknown>;
  // `meta-ads` is the id the policy fixture's adapter allowlist names.
  config.adapters = [
    {
      type: 'meta',
      id: 'meta-ads',
      adAccountId: `act_${ACCOUNT}`,
      accessTokenEnv: 'META_TOKEN',
      baseUrl: served.url,
    },
  ];
  writeFileSync(folder.configFile, stringify(config));
  gw = await startGatewayChild(folder.configFile, 20_000, { META_TOKEN: TOKEN });
}, TIMEOUT);

afterAll(async () => {
  await gw?.stop();
  await served?.close();
  if (folder) rmSync(folder.dir, { recursive: true, force: true });
});

/** The fixture plan whose recommended option is one daily budget move of campaign `id` (EUR minor units). */
function budgetPlan(id: string, from: number, to: number, planId?: string): HandoffPlan {
  const plan = freshPlan(planId);
  const option = plan.options[0];
  if (!option) throw new Error('fixture changed');
  const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' as const });
  const move: Action = {
    type: 'set_campaign_budget',
    actionId: `budget-${id}`,
    adapter: 'meta-ads',
    estimatedCost: option.budget.amount,
    params: { campaignId: id, budgetType: 'daily', currentBudget: eur(from), newBudget: eur(to) },
  };
  option.channels = ['paid_social'];
  option.actions = [move];
  return plan;
}

/** Submits `plan` with `handoff plan submit`, then approves it as finance and as marketing lead. */
async function submitAndApprove(plan: HandoffPlan, name: string): Promise<string> {
  const submitted = await runBin(
    ['plan', 'submit', writeJson(folder.dir, `${name}.json`, plan), '--url', gw.url, '--json'],
    {
      HANDOFF_API_KEY: folder.apiKey.copilot,
    },
  );
  expect(submitted.code, `${submitted.err}${submitted.out}`).toBe(0);
  const viewFile = join(folder.dir, `${name}-view.json`);
  writeFileSync(viewFile, submitted.out);
  for (const [who, role, sub] of [
    ['finance', 'finance', 'fiona.finance'],
    ['marketing', 'marketing_lead', 'mark.lead'],
  ] as const) {
    const approved = await runBin(
      [
        ...[
          'approve',
          '--plan-view',
          viewFile,
          '--key',
          folder.keyFile[who],
          '--role',
          role,
          '--sub',
          sub,
        ],
        ...[
          '--aud',
          GATEWAY_ID,
          '--max-spend',
          '645.00',
          '--currency',
          'EUR',
          '--submit',
          gw.url,
          '--json',
        ],
      ],
      { HANDOFF_API_KEY: folder.apiKey.approver },
    );
    expect(approved.code, approved.err).toBe(0);
  }
  return plan.planId;
}

async function dispatchRows(planId: string): Promise<{ status: string; lastError?: string }[]> {
  const listed = await runBin(['dispatch', 'list', '--url', gw.url, '--plan', planId, '--json'], {
    HANDOFF_API_KEY: folder.apiKey.auditor,
  });
  expect(listed.code, listed.err).toBe(0);
  return JSON.parse(listed.out) as { status: string; lastError?: string }[];
}

async function planEvents(planId: string): Promise<LineageEvent[]> {
  const run = await runBin(
    ['lineage', 'query', '--url', gw.url, '--plan', planId, '--limit', '500', '--json'],
    {
      HANDOFF_API_KEY: folder.apiKey.auditor,
    },
  );
  expect(run.code, run.err).toBe(0);
  return (JSON.parse(run.out) as { items: LineageEvent[] }).items;
}

describe('a gateway process with a Meta adapter', () => {
  test(
    'an approved budget move reaches the fake after a preflight, once',
    async () => {
      const planId = await submitAndApprove(budgetPlan('100', 40_000, 46_000), 'move');
      await expect
        .poll(async () => (await dispatchRows(planId))[0]?.status, {
          timeout: 20_000,
          interval: 100,
        })
        .toBe('succeeded');
      expect(meta.object('100')?.daily_budget).toBe(46_000);
      const calls = meta.received.map((c) => `${c.method} ${c.path.split('?')[0]}`);
      expect(calls).toEqual([
        `GET /v24.0/act_${ACCOUNT}`,
        'GET /v24.0/100',
        `GET /v24.0/act_${ACCOUNT}/minimum_budgets`,
        `GET /v24.0/act_${ACCOUNT}`,
        'GET /v24.0/100',
        'POST /v24.0/100',
      ]);
      const succeeded = (await planEvents(planId)).find((e) => e.type === 'dispatch.succeeded');
      expect(succeeded?.data).toMatchObject({
        adapter: 'meta-ads',
        preflight: {
          currentBudget: { amountMinor: 40_000, currency: 'EUR' },
          minimumDailyMinor: 100,
        },
      });
    },
    TIMEOUT,
  );

  test(
    "a currentBudget gone stale is refused by the preflight as CONFLICT before any write, with Meta's figure",
    async () => {
      const plan = budgetPlan('300', 60_000, 66_000, STALE_PLAN_ID);
      meta.edit('300', { daily_budget: 55_000 });
      const before = meta.received.length;
      const planId = await submitAndApprove(plan, 'stale');
      await expect
        .poll(async () => (await dispatchRows(planId))[0]?.status, {
          timeout: 20_000,
          interval: 100,
        })
        .toBe('dead');
      expect((await dispatchRows(planId))[0]).toMatchObject({ lastError: 'CONFLICT' });
      expect(meta.received.slice(before).filter((c) => c.method === 'POST')).toEqual([]);
      expect(meta.object('300')?.daily_budget).toBe(55_000);
      const events = await planEvents(planId);
      const types = events.map((e) => e.type);
      expect(types).toContain('dispatch.preflight_failed');
      expect(types).not.toContain('dispatch.retry_scheduled');
      expect(events.find((e) => e.type === 'dispatch.preflight_failed')?.data).toMatchObject({
        code: 'CONFLICT',
        issues: [{ path: '/params/currentBudget/amountMinor', code: 'CONFLICT' }],
        observed: { currentBudget: { amountMinor: 55_000, currency: 'EUR' } },
      });
    },
    TIMEOUT,
  );
});
