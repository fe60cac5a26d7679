import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { appRouter } from '../../src/api/router.js';
import { createCallerFactory } from '../../src/api/trpc.js';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { planVariant } from '../pipeline/helpers.js';
import { signProvenance } from '../provenance/signing.js';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { callerRefusal, type HttpGateway, rawCall, startHttpGateway } from './http-fixture.js';

/**
 * Answers a vendor can act on without reading the gateway's source (issue 16): input errors name the field and
 * what is accepted, a budget refusal carries the cap's figures, and `plans.dryRun` takes the body of
 * `plans.submit`. Over raw HTTP, as a client in any language calls the gateway.
 */
describe('actionable answers over HTTP', () => {
  let gw: HttpGateway;
  beforeAll(async () => {
    gw = await startHttpGateway();
  });
  afterAll(() => gw?.close());

  test('lineage.trace {} names the three shapes it takes', async () => {
    const { auditor } = gw.callers.acme;
    const answer = await rawCall(gw.url, 'lineage.trace', {
      type: 'query',
      input: {},
      credential: auditor.apiKey,
    });
    expect([answer.status, answer.envelope?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const expected =
      'Expected exactly one of planId, idempotencyKey or actionId (actionId optionally with planId), each a non-empty string';
    expect(answer.envelope?.message).toBe(`lineage.trace input: ${expected}`);
    expect(answer.envelope?.issues).toEqual([
      { path: '', code: 'INVALID_UNION', message: expected },
    ]);
  });

  test('a field out of range is named with what it accepts, in the issue and the message', async () => {
    const { operator } = gw.callers.acme;
    const answer = await rawCall(gw.url, 'plans.list', {
      type: 'query',
      input: { limit: 0, states: ['nonsense'] },
      credential: operator.apiKey,
    });
    expect([answer.status, answer.envelope?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const issues = answer.envelope?.issues ?? [];
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['/states/0', 'INVALID_VALUE'],
      ['/limit', 'TOO_SMALL'],
    ]);
    expect(issues[0]?.message).toMatch(/^states\.0: .*"awaiting_approval"/);
    expect(issues[1]?.message).toBe('limit: Too small: expected number to be >=1');
    expect(answer.envelope?.message).toBe(
      `plans.list input: ${issues[0]?.message} (and 1 more, see issues)`,
    );
  });

  test('a plan over its cap is answered rejected with the cap, period, amount asked, headroom and a sentence', async () => {
    const { copilot, operator } = gw.callers.acme;
    const submit = (n: number) =>
      rawCall(gw.url, 'plans.submit', {
        type: 'mutation',
        input: { plan: planVariant(n) },
        credential: copilot.apiKey,
      });
    const first = await submit(1601);
    expect(first.body).toMatchObject({ result: { data: { budgetRefusal: null } } });
    const second = await submit(1602);
    expect(second.status).toBe(200);
    const refusal = {
      code: 'BUDGET_EXCEEDED',
      optionId: 'call-prior-successes',
      capId: 'hubspot-month',
      period: 'month',
      periodKey: 'month:2026-11',
      currency: 'EUR',
      limitMinor: 70_000,
      usedMinor: 64_500,
      requestedMinor: 64_500,
      headroomMinor: 5_500,
      message:
        'Option "call-prior-successes" asks 64500 minor units of EUR of cap "hubspot-month" (month:2026-11), which has 64500 of its 70000 used: 5500 left',
      at: '2026-11-21T09:30:00.000Z',
    };
    expect(second.body).toMatchObject({
      result: {
        data: { state: 'rejected', reasonCode: 'BUDGET_EXCEEDED', budgetRefusal: refusal },
      },
    });
    const planId = (second.body as { result: { data: { planId: string } } }).result.data.planId;
    const later = await rawCall(gw.url, 'plans.get', {
      type: 'query',
      input: { planId },
      credential: operator.apiKey,
    });
    expect(later.body).toMatchObject({ result: { data: { budgetRefusal: refusal } } });
  });
});

describe('plans.dryRun takes the body of plans.submit', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const callerOf = (harness: Harness) =>
    createCallerFactory(appRouter)({
      gateway: harness.gateway,
      authenticator: harness.runtime.authenticator,
      authorization: `Bearer ${harness.callers.copilot.apiKey}`,
    });

  test('a valid signature is verified and accepted; one over other bytes is refused as submit refuses it', async () => {
    const copilotKey = await generateSigningKeyPair({ alg: 'EdDSA' });
    h = await createHarness({
      provenance: { copilotKeys: [{ type: 'inline', jwks: { keys: [copilotKey.publicJwk] } }] },
    });
    const api = callerOf(h);
    const plan = fixturePlan();
    const signature = await signProvenance(plan, copilotKey);
    const dry = await api.plans.dryRun({ plan, signature });
    expect(dry).toMatchObject({ planId: plan.planId, digest: expect.stringMatching(/^sha256:/) });

    const other = fixturePlan();
    other.workflow.name = 'Not the plan that was signed';
    const dryRefusal = await callerRefusal(api.plans.dryRun({ plan: other, signature }));
    const submitRefusal = await callerRefusal(api.plans.submit({ plan: other, signature }));
    expect(dryRefusal.code).toBe('UNAUTHENTICATED');
    expect(dryRefusal).toEqual(submitRefusal);
  });

  test('a signature to a gateway that verifies none is refused by both alike', async () => {
    h = await createHarness();
    const api = callerOf(h);
    const plan = fixturePlan();
    const signature = await signProvenance(plan, await generateSigningKeyPair({ alg: 'EdDSA' }));
    const dryRefusal = await callerRefusal(api.plans.dryRun({ plan, signature }));
    expect(dryRefusal.issues.map((i) => [i.path, i.code])).toEqual([
      ['/signature', 'PROVENANCE_NOT_CONFIGURED'],
    ]);
    expect(dryRefusal).toEqual(await callerRefusal(api.plans.submit({ plan, signature })));
  });
});
