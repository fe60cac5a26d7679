import { afterEach, describe, expect, test } from 'vitest';
import type { ApproverView } from '../../src/approvals/approver-admin.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { fixturePlan, OTHER_TENANT, TENANT } from '../support/harness.js';
import { type HttpGateway, type RawAnswer, rawCall, startHttpGateway } from './http-fixture.js';

/**
 * The approver registry is per tenant, over HTTP: kids and key material registered in one tenant are invisible to
 * another, so globex's operator learns nothing about acme's registry by registering (no existence oracle across
 * tenants), cannot squat a kid acme uses, and a globex registration can never approve an acme plan.
 */

let gw: HttpGateway;
afterEach(() => gw?.close());

function dataOf<T>(answer: RawAnswer): T {
  return (answer.body as { result: { data: T } }).result.data;
}

function mutate(path: string, input: unknown, credential: string) {
  return rawCall(gw.url, path, { type: 'mutation', input, credential });
}

/** `approvers.register` as `credential`, of `key`'s public JWK under `kid` (default: the key's own kid). */
function register(credential: string, key: SigningKeyPair, kid = key.kid, subject = 'gus.globex') {
  const jwk = { ...key.publicJwk, kid };
  return mutate(
    'approvers.register',
    { kid, subject, roles: ['finance', 'marketing_lead'], jwk },
    credential,
  );
}

/** A public JWK without its kid (a rotation names the new kid itself). */
function bare(key: SigningKeyPair): Record<string, unknown> {
  const { kid: _kid, ...jwk } = key.publicJwk;
  return jwk;
}

/** What a registration answer says, with the parts that name its own kid and key left out. */
function shapeOf(answer: RawAnswer) {
  const view = dataOf<ApproverView>(answer);
  return {
    status: answer.status,
    tenantId: view.tenantId,
    subject: view.subject,
    roles: view.roles,
    status_: view.status,
    registeredBy: view.registeredBy,
  };
}

async function acmePlan(): Promise<PlanView> {
  const answer = await mutate(
    'plans.submit',
    { plan: fixturePlan() },
    gw.callers.acme.copilot.apiKey,
  );
  expect(answer.status).toBe(200);
  return dataOf<PlanView>(answer);
}

async function acmeRegistry(): Promise<ApproverView[]> {
  const answer = await rawCall(gw.url, 'approvers.list', {
    type: 'query',
    credential: gw.callers.acme.operator.apiKey,
  });
  return dataOf<ApproverView[]>(answer);
}

describe('approver registry: per tenant', () => {
  test("registering a kid another tenant uses answers as an unused kid, and cannot approve that tenant's plans", async () => {
    gw = await startHttpGateway();
    const { finance } = gw.keys;
    const operator = gw.callers.globex.operator.apiKey;
    const before = await acmeRegistry();

    // Revoke and rotate: acme's kid is as unknown in globex as a kid nobody registered.
    const unused = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'never-registered' });
    const rotated = await generateSigningKeyPair({ alg: 'EdDSA' });
    for (const [path, input] of [
      ['approvers.revoke', (kid: string) => ({ kid, reason: 'probe' })],
      [
        'approvers.rotate',
        (kid: string) => ({ oldKid: kid, kid: `${kid}-next`, jwk: bare(rotated), reason: 'p' }),
      ],
    ] as const) {
      const answers = [
        await mutate(path, input(finance.kid), operator),
        await mutate(path, input(unused.kid), operator),
      ];
      expect(answers.map((a) => [a.status, a.envelope?.code])).toEqual([
        [404, 'NOT_FOUND'],
        [404, 'NOT_FOUND'],
      ]);
      expect(answers[0]?.envelope?.message.replace(finance.kid, '<kid>')).toBe(
        answers[1]?.envelope?.message.replace(unused.kid, '<kid>'),
      );
    }

    // Register: acme's kid, with globex's own key, is accepted exactly as an unused kid is.
    const squatter = await generateSigningKeyPair({ alg: 'EdDSA', kid: finance.kid });
    const taken = await register(operator, squatter);
    const free = await register(operator, unused, unused.kid, 'gus.deputy');
    expect(taken.status).toBe(200);
    expect(shapeOf(taken)).toEqual({ ...shapeOf(free), subject: 'gus.globex' });
    expect(dataOf<ApproverView>(taken)).toMatchObject({
      kid: finance.kid,
      tenantId: OTHER_TENANT,
      thumbprint: expect.not.stringMatching(
        before.find((a) => a.kid === finance.kid)?.thumbprint ?? '',
      ),
    });
    // acme's registry did not change.
    expect(await acmeRegistry()).toEqual(before);

    // globex's registration of the kid never approves an acme plan, whoever presents it.
    const view = await acmePlan();
    const squatted = await gw.sign(view, { key: squatter, sub: 'fiona.finance', role: 'finance' });
    const byAcme = await mutate(
      'approvals.submit',
      { token: squatted },
      gw.callers.acme.approver.apiKey,
    );
    expect([byAcme.status, byAcme.envelope?.code]).toEqual([401, 'APPROVAL_INVALID_SIGNATURE']);
    const asGus = await gw.sign(view, { key: squatter, sub: 'gus.globex', role: 'finance' });
    const byGlobex = await mutate(
      'approvals.submit',
      { token: asGus },
      gw.callers.globex.approver.apiKey,
    );
    expect([byGlobex.status, byGlobex.envelope?.code]).toEqual([404, 'NOT_FOUND']);

    // acme's approvals still verify with acme's key and complete the quorum.
    for (const [key, sub, role] of [
      [finance, 'fiona.finance', 'finance'],
      [gw.keys.marketing, 'mark.lead', 'marketing_lead'],
    ] as const) {
      const token = await gw.sign(view, { key, sub, role });
      const answer = await mutate('approvals.submit', { token }, gw.callers.acme.approver.apiKey);
      expect(answer.status).toBe(200);
    }
    const after = await rawCall(gw.url, 'plans.get', {
      type: 'query',
      input: { planId: view.planId },
      credential: gw.callers.acme.auditor.apiKey,
    });
    const approved = dataOf<PlanView>(after);
    expect(approved).toMatchObject({
      tenantId: TENANT,
      selectedOptionId: view.recommendedOptionId,
    });
    expect(approved.approvals.map((a) => a.approver).sort()).toEqual([
      'fiona.finance',
      'mark.lead',
    ]);
  });

  test('registering key material another tenant uses answers as unused key material', async () => {
    gw = await startHttpGateway();
    const { finance } = gw.keys;
    const operator = gw.callers.globex.operator.apiKey;
    const before = await acmeRegistry();
    const fresh = await generateSigningKeyPair({ alg: 'EdDSA' });

    // acme's finance key under a globex kid: a registration of its own, as a fresh key gets.
    const copied = await register(operator, finance, 'globex-finance-copy');
    const unused = await register(operator, fresh, 'globex-fresh', 'gus.deputy');
    expect(copied.status).toBe(200);
    expect(shapeOf(copied)).toEqual({ ...shapeOf(unused), subject: 'gus.globex' });
    expect(dataOf<ApproverView>(copied)).toMatchObject({
      kid: 'globex-finance-copy',
      tenantId: OTHER_TENANT,
      thumbprint: before.find((a) => a.kid === finance.kid)?.thumbprint,
    });
    expect(await acmeRegistry()).toEqual(before);
    // Within globex the key material is now taken: one kid per key material in a tenant.
    const again = await register(operator, finance, 'globex-finance-again');
    expect([again.status, again.envelope?.code]).toEqual([409, 'APPROVER_REGISTRY_CONFLICT']);

    // acme's approvals by that key still verify, with acme's registration.
    const view = await acmePlan();
    const token = await gw.sign(view, { key: finance, sub: 'fiona.finance', role: 'finance' });
    const answer = await mutate('approvals.submit', { token }, gw.callers.acme.approver.apiKey);
    expect(answer.status).toBe(200);
    expect(dataOf<PlanView>(answer).approvals).toMatchObject([{ approver: 'fiona.finance' }]);
  });
});
