import { verifyWebhook } from '@handoff/automation-adapter';
import { afterEach, describe, expect, test } from 'vitest';
import { PolicySetSchema } from '../../src/policy/policy-set.js';
import { policyWith } from '../policy/helpers.js';
import { createHarness, fixturePlan, type Harness, TENANT } from '../support/harness.js';
import { type ApprovalKit, approvalKit } from './approval-support.js';
import { expectGatewayError, ledgerOf, lineage } from './helpers.js';

/*
 * Approval gate deadlines (issue 17): a gate names a deadline and what happens at it; the gateway's sweep
 * (Gateway.expireDue, on an injected clock) escalates to backup roles or rejects (the default), records
 * `approval.escalated`, and notifies (Standard Webhooks-signed) when a plan waits and when it escalates, with a
 * link to the plan page and nothing secret.
 */

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const ORIGIN = 'https://console.example.test';
const HOUR_MS = 3_600_000;

/** The gate of plans of EUR 500.00 or more: one marketing lead; at the deadline, `escalation`. */
function gatePolicy(escalation: Record<string, unknown>) {
  return policyWith({
    id: 'spend-gate',
    type: 'approval_threshold',
    enforcement: 'hard_mandatory',
    spendAtLeast: [{ amountMinor: 50_000, currency: 'EUR' }],
    approval: { roles: ['marketing_lead'], quorum: 1, distinctRoles: false },
    escalation,
  });
}

let h: Harness;
let k: ApprovalKit;
afterEach(async () => h?.close());

async function start(escalation: Record<string, unknown>) {
  const requests: { headers: Record<string, string>; body: string }[] = [];
  h = await createHarness({
    policy: gatePolicy(escalation),
    env: { NOTIFY_SECRET: SECRET },
    fetch: async (_input, init) => {
      const request = {
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        body: String(init?.body),
      };
      // Verified as a receiver would on arrival: Standard Webhooks signature and timestamp.
      verifyWebhook({ ...request, secret: SECRET, now: () => h.clock.now() });
      requests.push(request);
      return new Response(null, { status: 204 });
    },
    config: {
      console: { origin: ORIGIN },
      notifications: {
        receivers: [
          {
            id: 'approvers',
            url: 'https://hooks.example.test/a',
            signingSecretEnv: 'NOTIFY_SECRET',
          },
        ],
      },
    },
  });
  k = approvalKit(h);
  const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
  expect(view.state).toBe('awaiting_approval');
  const sent = async () => {
    await h.runtime.gateway.deps.notifier?.flush();
    return requests.map(
      (r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> },
    );
  };
  return { view, sent };
}

describe('escalate', () => {
  test('at the deadline the backup role may approve; escalation recorded once and notified with the plan link', async () => {
    const { view, sent } = await start({
      afterSeconds: 3600,
      action: 'escalate',
      backupRoles: ['finance'],
    });
    const link = `${ORIGIN}/console/plans/${view.planId}`;
    expect((await sent()).filter((n) => n.type.startsWith('approval.'))).toEqual([
      {
        type: 'approval.waiting',
        timestamp: expect.any(String),
        data: {
          tenantId: TENANT,
          planId: view.planId,
          workflowId: view.workflowId,
          roles: 'marketing_lead',
          approvalDeadline: view.approvalDeadline,
          planUrl: link,
        },
      },
    ]);
    expect(view.gates[0]?.deadline).toMatchObject({ action: 'escalate', escalated: false });

    // Before the deadline: finance is no role of the gate, and the sweep does nothing.
    h.clock.advance(HOUR_MS - 1);
    await k.expectRefused(await k.finance(view), 'APPROVAL_ROLE_NOT_REQUIRED', view.planId);
    await h.gateway.expireDue();
    expect(await lineage(h, { planId: view.planId, types: ['approval.escalated'] })).toEqual([]);

    h.clock.advance(1);
    await h.gateway.expireDue();
    await h.gateway.expireDue();
    const escalated = await lineage(h, { planId: view.planId, types: ['approval.escalated'] });
    expect(escalated).toHaveLength(1);
    expect(escalated[0]).toMatchObject({
      actor: { type: 'system' },
      data: { gateId: 'spend-gate', backupRoles: ['finance'] },
    });
    const notices = (await sent()).filter((n) => n.type === 'approval.escalated');
    expect(notices).toEqual([
      expect.objectContaining({
        data: {
          tenantId: TENANT,
          planId: view.planId,
          workflowId: view.workflowId,
          gateId: 'spend-gate',
          roles: 'finance',
          deadline: escalated[0]?.data?.deadline,
          planUrl: link,
        },
      }),
    ]);
    const seen = await h.gateway.getPlan(h.callers.approver.principal, view.planId);
    expect(seen.gates[0]).toMatchObject({
      roles: ['marketing_lead', 'finance'],
      deadline: { escalated: true, backupRoles: ['finance'] },
    });
    const approved = await k.submit(await k.finance(view));
    expect(approved).toMatchObject({ state: 'approved', decisive: true });
  });
});

describe('reject (the default)', () => {
  test('a gate still open at its deadline rejects the plan and releases its budget', async () => {
    const { view } = await start({ afterSeconds: 7200 });
    h.clock.advance(2 * HOUR_MS - 1);
    await h.gateway.expireDue();
    expect((await h.gateway.getPlan(h.callers.operator.principal, view.planId)).state).toBe(
      'awaiting_approval',
    );
    h.clock.advance(1);
    await h.gateway.expireDue();
    const after = await h.gateway.getPlan(h.callers.copilot.principal, view.planId);
    expect(after).toMatchObject({ state: 'rejected', reasonCode: 'APPROVAL_DEADLINE_REACHED' });
    expect(ledgerOf(h, view.planId).every((l) => l.status === 'released')).toBe(true);
    await expectGatewayError(k.submit(await k.marketing(view)), 'PLAN_NOT_AWAITING_APPROVAL');
  });

  test('a gate satisfied before its deadline is left alone', async () => {
    const { view } = await start({ afterSeconds: 3600 });
    await k.submit(await k.marketing(view));
    h.clock.advance(2 * HOUR_MS);
    await h.gateway.expireDue();
    expect((await h.gateway.getPlan(h.callers.operator.principal, view.planId)).state).toBe(
      'approved',
    );
  });
});

describe('policy config', () => {
  test('escalate without backup roles is refused with MISSING_BACKUP_ROLES at its path', () => {
    const parsed = PolicySetSchema.safeParse({
      id: 'p',
      version: '1',
      rules: [
        {
          id: 'g',
          type: 'approval_threshold',
          enforcement: 'hard_mandatory',
          spendAtLeast: [{ amountMinor: 1, currency: 'EUR' }],
          approval: { roles: ['finance'], quorum: 1, distinctRoles: false },
          escalation: { afterSeconds: 3600, action: 'escalate' },
        },
      ],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ['rules', 0, 'escalation', 'backupRoles'] }),
    ]);
  });
});
