import { type ApprovalClaims, type LineageEvent, planDigest } from '@handoff/protocol';
import { base64url, decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ApprovalInput, createApprovalToken } from '../../src/approvals/create-approval.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { ManualClock } from '../../src/clock.js';
import { GATEWAY_ERROR_TABLE, type GatewayErrorCode } from '../../src/errors.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { craftToken } from '../approvals/fixtures.js';
import { GATEWAY_ID, type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { snapshot } from '../pipeline/helpers.js';
import { fixturePlan } from '../support/harness.js';
import { expectServing } from './hostile-support.js';
import { tally } from './tally.js';

/**
 * Every token attack of issue 8 against a real gateway over HTTP, on one plan awaiting a finance and a marketing-lead
 * approval. Each is refused with its own code and HTTP status, recorded as exactly one `approval.refused` event
 * carrying that code (and nothing else written), and the plan can still be approved afterwards with honest tokens.
 */

const TYP = 'handoff-approval+jwt';
let gw: HttpGateway;
let view: PlanView;
let finance: SigningKeyPair;

beforeAll(async () => {
  gw = await startHttpGateway();
  finance = gw.keys.finance;
  const submitted = await rawCall(gw.url, 'plans.submit', {
    type: 'mutation',
    input: { plan: fixturePlan() },
    credential: gw.callers.acme.copilot.apiKey,
  });
  view = (submitted.body as { result: { data: PlanView } }).result.data;
  expect(view.state).toBe('awaiting_approval');
});
afterAll(() => gw?.close());

/** The finance approval of the plan, with `change` applied to its claims, signed by `key` at `clock`. */
function claimsToken(
  change: Partial<ApprovalInput> = {},
  key: SigningKeyPair = finance,
  clock = gw.clock,
): Promise<string> {
  return createApprovalToken(
    {
      iss: 'approvals-app',
      sub: 'fiona.finance',
      aud: GATEWAY_ID,
      planId: view.planId,
      planDigest: view.digest as `sha256:${string}`,
      optionId: view.recommendedOptionId,
      policyVersion: view.policyVersion,
      decision: 'approve',
      maxSpend: { amountMinor: 64_500, currency: 'EUR' },
      role: 'finance',
      ...change,
    },
    key.privateJwk,
    { clock },
  );
}

function approve(token: string) {
  return rawCall(gw.url, 'approvals.submit', {
    type: 'mutation',
    input: { token },
    credential: gw.callers.acme.approver.apiKey,
  });
}

/** The newest lineage event, read over HTTP as the auditor. */
async function lastEvent(): Promise<LineageEvent> {
  const page = await rawCall(gw.url, 'lineage.query', {
    type: 'query',
    input: { limit: 500 },
    credential: gw.callers.acme.auditor.apiKey,
  });
  const items = (page.body as { result: { data: { items: LineageEvent[] } } }).result.data.items;
  const last = items[items.length - 1];
  if (!last) throw new Error('no lineage');
  return last;
}

type Attack = [label: string, code: GatewayErrorCode, token: () => Promise<string>];

async function otherPlanDigest(): Promise<string> {
  const other = fixturePlan();
  other.workflow.name = 'A different plan';
  return planDigest(other);
}

async function signedWith(header: Record<string, unknown>, secret: Uint8Array) {
  const claims = decodeJwt(await claimsToken());
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(secret);
}

const attacks: Attack[] = [
  [
    'alg none',
    'APPROVAL_ALG_NOT_ALLOWED',
    async () => {
      const claims = decodeJwt(await claimsToken());
      return craftToken({ alg: 'none', kid: finance.kid, typ: TYP }, claims);
    },
  ],
  [
    'HS256 with the public key as secret',
    'APPROVAL_ALG_NOT_ALLOWED',
    () => signedWith({ kid: finance.kid, typ: TYP }, base64url.decode(finance.publicJwk.x ?? '')),
  ],
  [
    'a kid the approver registry does not hold',
    'APPROVAL_KEY_NOT_REGISTERED',
    async () => claimsToken({}, await generateSigningKeyPair({ alg: 'EdDSA' })),
  ],
  [
    'a key from another JWKS claiming a known kid',
    'APPROVAL_INVALID_SIGNATURE',
    async () => claimsToken({}, await generateSigningKeyPair({ alg: 'EdDSA', kid: finance.kid })),
  ],
  [
    'tampered payload',
    'APPROVAL_INVALID_SIGNATURE',
    async () => {
      const [head, , signature] = (await claimsToken()).split('.');
      const raised = {
        ...decodeJwt(await claimsToken()),
        maxSpend: { amountMinor: 9e9, currency: 'EUR' },
      };
      return `${head}.${base64url.encode(JSON.stringify(raised))}.${signature}`;
    },
  ],
  [
    'expired',
    'APPROVAL_EXPIRED',
    () => claimsToken({}, finance, new ManualClock(gw.clock.now() - 3_600_000)),
  ],
  [
    'not yet valid',
    'APPROVAL_NOT_YET_VALID',
    () => claimsToken({}, finance, new ManualClock(gw.clock.now() + 3_600_000)),
  ],
  ['wrong audience', 'APPROVAL_WRONG_AUDIENCE', () => claimsToken({ aud: 'gw-elsewhere' })],
  ['garbage', 'APPROVAL_MALFORMED', async () => 'eyJhbGciOiJFZERTQSJ9.e30.AAAA'],
  [
    'digest of another plan',
    'APPROVAL_DIGEST_MISMATCH',
    async () =>
      claimsToken({ planDigest: (await otherPlanDigest()) as ApprovalClaims['planDigest'] }),
  ],
  [
    'another policy version',
    'APPROVAL_POLICY_MISMATCH',
    () => claimsToken({ policyVersion: `sha256:${'0'.repeat(64)}` }),
  ],
  [
    'an option not in the plan',
    'APPROVAL_OPTION_INVALID',
    () => claimsToken({ optionId: 'not-an-option' }),
  ],
  [
    'another option, whose gates ask no finance role',
    'APPROVAL_ROLE_NOT_REQUIRED',
    () => claimsToken({ optionId: 'nurture-broadcast' }),
  ],
  [
    'a role the key is not registered with',
    'APPROVAL_ROLE_NOT_HELD',
    () => claimsToken({ role: 'intern' }),
  ],
  [
    'self-approval by the submitting copilot (its id as sub)',
    'APPROVAL_SUBJECT_MISMATCH',
    () => claimsToken({ sub: gw.callers.acme.copilot.principal.id }),
  ],
  [
    'a spend below the option cost',
    'APPROVAL_SPEND_TOO_LOW',
    () => claimsToken({ maxSpend: { amountMinor: 10_000, currency: 'EUR' } }),
  ],
  [
    'a spend in another currency',
    'APPROVAL_SPEND_TOO_LOW',
    () => claimsToken({ maxSpend: { amountMinor: 100_000, currency: 'USD' } }),
  ],
  [
    'a plan of no tenant',
    'NOT_FOUND',
    () => claimsToken({ planId: '019a8f2e-5c4b-7d3e-9a1f-ffffffffffff' }),
  ],
];

/** Submits `token` and expects `code` with its HTTP status, one `approval.refused` event and no other change. */
async function expectRefused(label: string, code: GatewayErrorCode, token: string) {
  const before = snapshot(gw);
  const answer = await approve(token);
  expect([answer.status, answer.envelope?.code], label).toEqual([
    GATEWAY_ERROR_TABLE[code].http,
    code,
  ]);
  const after = snapshot(gw);
  expect(after.lineage, label).toBe(before.lineage + 1);
  expect({ ...after, lineage: 0 }, label).toEqual({ ...before, lineage: 0 });
  const event = await lastEvent();
  expect(event, label).toMatchObject({ type: 'approval.refused', data: { code } });
  expect(JSON.stringify(event), label).not.toContain(token.split('.')[2] || token);
}

describe('token attacks over HTTP', () => {
  test('each attack is refused with its own code and recorded in lineage', async ({ task }) => {
    const t = tally(task, 'token attacks');
    for (const [label, code, make] of attacks) {
      t.tried();
      await expectRefused(label, code, await make());
      t.held();
    }
    await expectServing(gw);
  });

  test('replays and a second decision by one approver are refused; honest approvals still pass', async ({
    task,
  }) => {
    const t = tally(task, 'token attacks');
    const honest = await claimsToken();
    expect((await approve(honest)).status).toBe(200);
    t.tried();
    await expectRefused('replayed token id', 'APPROVAL_REPLAYED', honest);
    t.held();
    t.tried();
    await expectRefused(
      'the same approver again',
      'APPROVAL_DUPLICATE_APPROVER',
      await claimsToken(),
    );
    t.held();
    const lead = await gw.sign(view, {
      key: gw.keys.marketing,
      sub: 'mark.lead',
      role: 'marketing_lead',
    });
    const done = await approve(lead);
    expect(done.status).toBe(200);
    expect((done.body as { result: { data: PlanView } }).result.data.state).toBe('approved');
    // The approval woke the dispatcher: let its run finish, so its events are not counted as the refusal's.
    await gw.runtime.dispatcher.runDue();
    t.tried();
    await expectRefused('a replay once approved', 'PLAN_NOT_AWAITING_APPROVAL', lead);
    t.held();
  });
});
