import { writeFileSync } from 'node:fs';
import type { Action, HandoffPlan } from '@handoff/protocol';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import type { LedgerLine } from '../../src/store/store.js';
import { freshPlan } from '../cli/e2e-setup.js';
import { fixturePlan, type Harness, TENANT } from '../support/harness.js';

/** Submits the fixture plan and approves it with finance + marketing lead: its outbox holds one hubspot row. */
export async function approvedPlan(h: Harness, plan: HandoffPlan = fixturePlan()) {
  const { copilot, approver } = h.callers;
  const view = await h.gateway.submitPlan(copilot.principal, plan);
  await h.gateway.submitApproval(
    approver.principal,
    await h.sign(view, { key: h.keys.finance, sub: 'fiona.finance', role: 'finance' }),
  );
  const approved = await h.gateway.submitApproval(
    approver.principal,
    await h.sign(view, { key: h.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
  );
  if (approved.state !== 'approved') throw new Error(`Plan not approved: ${approved.state}`);
  return approved;
}

/**
 * The fixture plan with its recommended option split into two hubspot actions (enroll, then add to a list) that
 * together cost what the one action did (EUR 400.00 + 245.00).
 */
export function twoActionPlan(): HandoffPlan {
  const plan = fixturePlan();
  const option = plan.options[0];
  const first = option?.actions[0];
  if (!option || !first) throw new Error('fixture changed');
  option.actions = [
    { ...first, estimatedCost: { amountMinor: 40_000, currency: 'EUR' } },
    {
      ...first,
      actionId: 'enroll-second-wave',
      estimatedCost: { amountMinor: 24_500, currency: 'EUR' },
    },
  ];
  return plan;
}

/** The plan's ledger (of `tenantId`, default the harness tenant), as `[capId, amountMinor, status]` sorted. */
export async function ledgerOf(
  h: Harness,
  planId: string,
  tenantId: string = TENANT,
): Promise<[string, number, string][]> {
  const lines: LedgerLine[] = await h.runtime.store.transaction((tx) =>
    tx.ledgerForPlan(tenantId, planId),
  );
  return lines
    .map((l): [string, number, string] => [l.capId, l.amountMinor, l.status])
    .sort((a, b) => `${a[0]}${a[2]}`.localeCompare(`${b[0]}${b[2]}`));
}

/** The plan's outbox rows (of `tenantId`, default the harness tenant). */
export function outboxOf(h: Harness, planId: string, tenantId: string = TENANT) {
  return h.runtime.store.transaction((tx) => tx.outboxForPlan(tenantId, planId));
}

/** The lineage event types of one plan, in order. */
export async function eventTypes(h: Harness, planId: string): Promise<string[]> {
  const page = await h.gateway.queryLineage(h.callers.auditor.principal, { planId, limit: 500 });
  return page.items.map((e) => e.type);
}

/**
 * The fixture plan under `planId`, due now on the real clock (for gateway processes), with its recommended option
 * made of `count` webhook calls to `https://hooks.example.test/crm/<index>/<i>` of `costMinor` EUR minor units each.
 */
export function webhookCallsPlan(
  planId: string,
  index: number,
  count: number,
  costMinor: number,
): HandoffPlan {
  const plan = freshPlan(planId);
  const option = plan.options[0];
  if (!option) throw new Error('fixture changed');
  option.actions = Array.from(
    { length: count },
    (_, i): Action => ({
      type: 'call_webhook',
      actionId: `notify-${i}`,
      adapter: 'webhook',
      estimatedCost: { amountMinor: costMinor, currency: 'EUR' },
      params: {
        url: `https://hooks.example.test/crm/${index}/${i}`,
        eventType: 'campaign.segment_ready',
        data: { plan: index, action: i },
      },
    }),
  );
  return plan;
}

/**
 * The config file of a crash test's gateway process (`crash-child.ts`): `gatewayId`, one approver key (never
 * needed: the policy only allows email and phone, so plans are approved at once), a EUR 100,000.00 monthly tenant
 * cap, `adapters`, and any `extra` sections.
 */
export async function writeCrashConfig(
  file: string,
  input: { gatewayId: string; adapters: unknown[]; extra?: Record<string, unknown> },
): Promise<void> {
  const approver = await generateSigningKeyPair({ alg: 'EdDSA' });
  writeFileSync(
    file,
    JSON.stringify({
      gatewayId: input.gatewayId,
      database: { path: 'gateway.db' },
      approvals: { keys: [{ type: 'inline', jwks: { keys: [approver.publicJwk] } }] },
      auth: { apiKeys: [] },
      policy: {
        inline: {
          id: 'crash-test',
          version: '1',
          rules: [
            {
              id: 'channels',
              type: 'channel_allowlist',
              enforcement: 'hard_mandatory',
              channels: ['email', 'phone'],
            },
          ],
        },
      },
      caps: [
        {
          capId: 'tenant-month',
          tenantId: TENANT,
          scope: { type: 'tenant', value: TENANT },
          period: 'month',
          limit: { amountMinor: 10_000_000, currency: 'EUR' },
        },
      ],
      adapters: input.adapters,
      ...input.extra,
    }),
  );
}
