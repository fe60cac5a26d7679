import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createApprovalToken } from '../../src/approvals/create-approval.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { createHarness, fixturePlan, GATEWAY_ID, type Harness } from '../support/harness.js';
import {
  type ApprovalKit,
  approvalKit,
  decode,
  encode,
  withSubmittedPlan,
} from './approval-support.js';
import { OPTION_2, OPTION_2_COST, planVariant } from './helpers.js';

let h: Harness;
let k: ApprovalKit;
let view: PlanView;
afterEach(async () => h?.close());

describe('replayed tokens (each refusal recorded)', () => {
  test('the same token twice is APPROVAL_REPLAYED', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const token = await k.finance(view);
    await k.submit(token);
    await k.expectRefused(token, 'APPROVAL_REPLAYED', view.planId);
  });

  test('a token id already used for another plan is APPROVAL_REPLAYED', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const otherPlan = planVariant(1, (p) => {
      p.recommendedOptionId = OPTION_2;
    });
    const other = await h.gateway.submitPlan(h.callers.copilot.principal, otherPlan);
    expect(other.state).toBe('awaiting_approval');
    const token = await k.finance(view);
    await k.submit(token);
    const jti = decode(token.split('.')[1]).jti as string;
    const reused = await createApprovalToken(
      {
        iss: 'approvals-app',
        sub: 'mary.lead',
        aud: GATEWAY_ID,
        planId: other.planId,
        planDigest: other.digest as `sha256:${string}`,
        optionId: OPTION_2,
        policyVersion: other.policyVersion,
        decision: 'approve',
        maxSpend: { amountMinor: OPTION_2_COST, currency: 'EUR' },
        role: 'marketing_lead',
        jti,
      },
      h.keys.mary.privateJwk,
      { clock: h.clock },
    );
    await k.expectRefused(reused, 'APPROVAL_REPLAYED', other.planId);
    expect((await h.gateway.getPlan(h.callers.operator.principal, other.planId)).state).toBe(
      'awaiting_approval',
    );
  });

  test('a token replayed after the runtime is reopened on the same database is APPROVAL_REPLAYED', async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-replay-')), 'gateway.db');
    const first = await createHarness({ databasePath });
    const view = await first.gateway.submitPlan(first.callers.copilot.principal, fixturePlan());
    const token = await first.sign(view, {
      key: first.keys.finance,
      sub: 'fiona.finance',
      role: 'finance',
    });
    await first.gateway.submitApproval(first.callers.approver.principal, token);
    await first.close();

    h = await createHarness({ databasePath, keys: first.keys });
    k = approvalKit(h);
    expect(
      (await h.gateway.getPlan(h.callers.operator.principal, view.planId)).approvals,
    ).toHaveLength(1);
    await k.expectRefused(token, 'APPROVAL_REPLAYED', view.planId);
  });
});

describe('refusals of tokens that do not verify (recorded without a plan)', () => {
  test('expired past exp + tolerance is APPROVAL_EXPIRED; within tolerance it is accepted', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const lateFinance = await k.finance(view);
    const lateMarketing = await k.marketing(view);
    h.clock.advance((900 + 29) * 1000);
    expect((await k.submit(lateFinance)).approvals).toHaveLength(1);
    h.clock.advance(2000);
    await k.expectRefused(lateMarketing, 'APPROVAL_EXPIRED');
  });

  test('another audience is APPROVAL_WRONG_AUDIENCE', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    await k.expectRefused(
      await k.finance(view, { aud: 'gw-elsewhere' }),
      'APPROVAL_WRONG_AUDIENCE',
    );
  });

  test('a key the registry does not hold is APPROVAL_KEY_NOT_REGISTERED', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    await k.expectRefused(
      await k.finance(view, { key: h.keys.outsider }),
      'APPROVAL_KEY_NOT_REGISTERED',
    );
  });

  test('a tampered payload is APPROVAL_INVALID_SIGNATURE', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const [header, payload, signature] = (await k.finance(view)).split('.');
    const claims = decode(payload);
    const forged = encode({ ...claims, maxSpend: { amountMinor: 99_999_999, currency: 'EUR' } });
    await k.expectRefused(`${header}.${forged}.${signature}`, 'APPROVAL_INVALID_SIGNATURE');
    const otherRole = encode({ ...claims, sub: 'mark.lead', role: 'marketing_lead' });
    await k.expectRefused(`${header}.${otherRole}.${signature}`, 'APPROVAL_INVALID_SIGNATURE');
  });

  test('alg none is APPROVAL_ALG_NOT_ALLOWED', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const [header, payload] = (await k.finance(view)).split('.');
    const none = encode({ ...decode(header), alg: 'none' });
    await k.expectRefused(`${none}.${payload}.`, 'APPROVAL_ALG_NOT_ALLOWED');
  });
});
