import { expect } from 'vitest';
import type { GatewayErrorCode } from '../../src/errors.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { createHarness, fixturePlan, type Harness, TENANT } from '../support/harness.js';
import { expectGatewayError, rows, snapshot } from './helpers.js';

type SignInput = Partial<Parameters<Harness['sign']>[1]>;

/** The approval helpers of one harness: sign as finance or the marketing lead, submit, expect a recorded refusal. */
export function approvalKit(h: Harness) {
  const submit = (token: string) => h.gateway.submitApproval(h.callers.approver.principal, token);
  return {
    finance: (view: PlanView, extra: SignInput = {}) =>
      h.sign(view, { key: h.keys.finance, sub: 'fiona.finance', role: 'finance', ...extra }),
    marketing: (view: PlanView, extra: SignInput = {}) =>
      h.sign(view, { key: h.keys.marketing, sub: 'mark.lead', role: 'marketing_lead', ...extra }),
    submit,
    /**
     * Expects `token` to be refused with `code`, recorded as exactly one `approval.refused` event carrying the
     * code (naming `planId` when the token verified, none otherwise), and nothing else to change (no approval,
     * ledger, plan, payload or outbox change).
     */
    async expectRefused(token: string, code: GatewayErrorCode, planId?: string) {
      const before = snapshot(h);
      const error = await expectGatewayError(submit(token), code);
      const after = snapshot(h);
      expect(after.lineage).toBe(before.lineage + 1);
      expect({ ...after, lineage: 0 }).toEqual({ ...before, lineage: 0 });
      const last = rows<{ body: string }>(
        h,
        'select body from lineage_events order by id desc limit 1',
      )[0];
      const event = JSON.parse(last?.body ?? '{}');
      expect(event).toMatchObject({ type: 'approval.refused', tenantId: TENANT, data: { code } });
      if (planId) expect(event).toMatchObject({ planId, data: { verified: true } });
      else expect(event).toMatchObject({ data: { verified: false, presentedBy: 'approver-desk' } });
      expect(event.planId === undefined).toBe(planId === undefined);
      return error;
    },
  };
}

export type ApprovalKit = ReturnType<typeof approvalKit>;

/** A harness with the fixture plan submitted (awaiting finance + marketing lead), and its approval kit. */
export async function withSubmittedPlan(options: Parameters<typeof createHarness>[0] = {}) {
  const h = await createHarness(options);
  const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
  return { h, k: approvalKit(h), view };
}

/** base64url of a JSON value (a JWS segment). */
export function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The JSON of a JWS segment. */
export function decode(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}
