import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OPERATION_ROLES, type Operation, PUBLIC_PROCEDURES } from '../../src/access.js';
import { appRouter } from '../../src/api/router.js';
import { ROLES, type Role } from '../../src/auth/principal.js';
import { outcomeReport } from '../outcomes/outcome-support.js';
import { defaultCaps, fixturePlan, OTHER_TENANT, TENANT } from '../support/harness.js';
import { type HttpGateway, rawCall, startHttpGateway } from './http-fixture.js';

/**
 * The access table over HTTP. Expectations come from `OPERATION_ROLES` itself, so the test fails if the table,
 * the router or the enforcement drift apart: every procedure but `health` is in the table, and for every
 * operation and every role an admitted role is never FORBIDDEN while any other role gets 403 FORBIDDEN and
 * changes nothing. Then tenant isolation: `globex` never reads or writes `acme-bank`'s plans, caps, controls or
 * lineage.
 */

const PLAN_ID = fixturePlan().planId;
const UNKNOWN_PLAN_ID = '019a8f2e-5c4b-7d3e-9a1f-000000000000';
/** A well-formed public Ed25519 JWK (never used to verify). */
const SAMPLE_JWK = { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) };

/** A valid input for each operation, for the caller's own tenant, so only the role can make it FORBIDDEN. */
const SAMPLE_INPUTS: Record<Operation, unknown> = {
  'plans.submit': { plan: fixturePlan() },
  'plans.submitBatch': { plans: [{ plan: fixturePlan() }] },
  'plans.dryRun': { plan: fixturePlan() },
  'plans.get': { planId: PLAN_ID },
  'plans.list': {},
  'plans.cancel': { planId: UNKNOWN_PLAN_ID, reason: 'role matrix' },
  'plans.rollback': { planId: UNKNOWN_PLAN_ID, reason: 'role matrix' },
  'approvals.submit': { token: 'not.a.token' },
  'approvers.list': undefined,
  'approvers.register': {
    kid: 'role-matrix',
    subject: 'role.matrix',
    roles: ['finance'],
    jwk: SAMPLE_JWK,
  },
  'approvers.revoke': { kid: 'unknown-kid', reason: 'role matrix' },
  'approvers.rotate': {
    oldKid: 'unknown-kid',
    kid: 'role-matrix-2',
    jwk: { ...SAMPLE_JWK, x: `B${'A'.repeat(42)}` },
    reason: 'role matrix',
  },
  'budget.getCaps': undefined,
  'budget.setCaps': { caps: defaultCaps() },
  'control.pause': { scopeType: 'channel', scopeValue: 'sms', reason: 'role matrix' },
  'control.resume': { scopeType: 'channel', scopeValue: 'fax' },
  'control.list': undefined,
  'lineage.query': {},
  'lineage.trace': { planId: PLAN_ID },
  'dispatch.list': {},
  'dispatch.retry': { idempotencyKey: 'hof_unknown', reason: 'role matrix' },
  'dispatch.abandon': { idempotencyKey: 'hof_unknown', reason: 'role matrix' },
  'dispatch.confirm': { idempotencyKey: 'hof_unknown', reason: 'role matrix' },
  'outcomes.report': { report: outcomeReport() },
  'copilots.calibration': undefined,
  'policy.get': undefined,
  'approvers.invite': { subject: 'role.matrix.person', roles: ['finance'] },
  'session.get': undefined,
  'session.signOut': undefined,
  'approvals.view': { planId: PLAN_ID, optionId: 'opt-a' },
  'approvals.passkeyOptions': {
    planId: PLAN_ID,
    optionId: 'opt-a',
    decision: 'approve',
    viewDigest: `sha256:${'0'.repeat(64)}`,
  },
  'approvals.submitPasskey': {
    planId: PLAN_ID,
    optionId: 'opt-a',
    decision: 'approve',
    viewDigest: `sha256:${'0'.repeat(64)}`,
    expiresAt: '2030-01-01T00:00:00Z',
    response: {
      id: 'AA',
      rawId: 'AA',
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' },
    },
  },
  'policy.shadow': {
    policy:
      'id: candidate\nversion: "1"\nrules:\n  - { id: c, type: consent, enforcement: advisory }\n',
  },
};

/** The router's procedures by dotted path (tRPC keeps a flat map beside the nested record). */
const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { type: string } }
>;
const typeOf = (path: string) => procedures[path]?._def.type as 'query' | 'mutation';
const OPERATIONS = Object.keys(OPERATION_ROLES) as Operation[];

describe('the access table covers the router', () => {
  test('every procedure except the public ones is in OPERATION_ROLES, and every operation is a procedure', () => {
    const isPublic = (p: string) => (PUBLIC_PROCEDURES as readonly string[]).includes(p);
    const routed = Object.keys(procedures).filter((p) => !isPublic(p));
    expect(routed.sort()).toEqual([...OPERATIONS].sort());
    expect(Object.keys(SAMPLE_INPUTS).sort()).toEqual([...OPERATIONS].sort());
  });

  test('every operation admits at least one known role', () => {
    for (const operation of OPERATIONS) {
      const admitted: readonly string[] = OPERATION_ROLES[operation];
      expect(admitted.length, operation).toBeGreaterThan(0);
      for (const role of admitted) expect(ROLES, operation).toContain(role);
    }
  });
});

describe('every operation x every role, over HTTP', () => {
  let gw: HttpGateway;
  beforeAll(async () => {
    gw = await startHttpGateway();
    // A plan to read, so plans.get succeeds for the roles that may read it.
    await gw.gateway.submitPlan(gw.callers.acme.copilot.principal, fixturePlan());
  });
  afterAll(() => gw?.close());

  const lineageCount = async () =>
    (await gw.gateway.queryLineage(gw.callers.acme.auditor.principal, { limit: 500 })).items.length;

  const rows = OPERATIONS.flatMap((operation) =>
    ROLES.map((role) => {
      const admitted = (OPERATION_ROLES[operation] as readonly Role[]).includes(role);
      return { operation, role, admitted };
    }),
  );

  test.each(rows)(
    '$operation as $role (admitted: $admitted)',
    async ({ operation, role, admitted }) => {
      const before = await lineageCount();
      const answer = await rawCall(gw.url, operation, {
        type: typeOf(operation),
        input: SAMPLE_INPUTS[operation],
        credential: gw.callers.acme[role].apiKey,
      });
      if (admitted) {
        expect(answer.status, JSON.stringify(answer.body)).not.toBe(403);
        expect(answer.envelope?.code).not.toBe('FORBIDDEN');
        expect(answer.status).toBeLessThan(500);
      } else {
        expect(answer.status).toBe(403);
        expect(answer.envelope?.code).toBe('FORBIDDEN');
        for (const needed of OPERATION_ROLES[operation]) {
          expect(answer.envelope?.message).toContain(`'${needed}'`);
        }
        expect(await lineageCount()).toBe(before);
      }
    },
  );

  test('health is public: every role and no credential at all get 200', async () => {
    for (const credential of [undefined, ...ROLES.map((r) => gw.callers.acme[r].apiKey)]) {
      const answer = await rawCall(gw.url, 'health', {
        type: 'query',
        ...(credential ? { credential } : {}),
      });
      expect(answer.status).toBe(200);
    }
  });
});

describe(`tenant isolation: ${OTHER_TENANT} never touches ${TENANT}`, () => {
  let gw: HttpGateway;
  const call = (
    path: Operation,
    role: Role,
    input?: unknown,
    tenant: 'acme' | 'globex' = 'globex',
  ) =>
    rawCall(gw.url, path, {
      type: typeOf(path),
      input,
      credential: gw.callers[tenant][role].apiKey,
    });
  const acmePlanState = async () =>
    (await gw.gateway.getPlan(gw.callers.acme.auditor.principal, PLAN_ID)).state;

  beforeAll(async () => {
    gw = await startHttpGateway();
    const submitted = await call('plans.submit', 'copilot', { plan: fixturePlan() }, 'acme');
    expect(submitted.status).toBe(200);
    const paused = await call(
      'control.pause',
      'operator',
      { scopeType: 'channel', scopeValue: 'sms', reason: 'acme only' },
      'acme',
    );
    expect(paused.status).toBe(200);
  });
  afterAll(() => gw?.close());

  test('plans: get is NOT_FOUND for every globex role, list shows nothing of acme', async () => {
    for (const role of OPERATION_ROLES['plans.get']) {
      const answer = await call('plans.get', role, { planId: PLAN_ID });
      expect([answer.status, answer.envelope?.code]).toEqual([404, 'NOT_FOUND']);
      const list = await call('plans.list', role, {});
      expect(list.body).toMatchObject({ result: { data: { items: [] } } });
    }
  });

  test('plans: globex cannot submit for acme, or cancel its plan', async () => {
    const forAcme = await call('plans.submit', 'copilot', { plan: fixturePlan() });
    expect([forAcme.status, forAcme.envelope?.code]).toEqual([403, 'FORBIDDEN']);
    const cancel = await call('plans.cancel', 'operator', { planId: PLAN_ID, reason: 'not yours' });
    expect([cancel.status, cancel.envelope?.code]).toEqual([404, 'NOT_FOUND']);
    const view = await gw.gateway.getPlan(gw.callers.acme.auditor.principal, PLAN_ID);
    expect([view.tenantId, view.state, view.submittedBy]).toEqual([
      TENANT,
      'awaiting_approval',
      'acme-copilot',
    ]);
  });

  test("approvals: a globex approver's valid token for the acme plan is NOT_FOUND", async () => {
    const view = await gw.gateway.getPlan(gw.callers.acme.auditor.principal, PLAN_ID);
    const token = await gw.sign(view, {
      key: gw.keys.globexFinance,
      sub: 'gina.globex',
      role: 'finance',
    });
    const answer = await call('approvals.submit', 'approver', { token });
    expect([answer.status, answer.envelope?.code]).toEqual([404, 'NOT_FOUND']);
    // An acme key presented by globex is not registered in globex (registries are per tenant): refused as an
    // unregistered key is, before any plan is looked up.
    const acmeKey = await gw.sign(view, {
      key: gw.keys.finance,
      sub: 'fiona.finance',
      role: 'finance',
    });
    const foreign = await call('approvals.submit', 'approver', { token: acmeKey });
    expect([foreign.status, foreign.envelope?.code]).toEqual([401, 'APPROVAL_KEY_NOT_REGISTERED']);
    const after = await gw.gateway.getPlan(gw.callers.acme.auditor.principal, PLAN_ID);
    expect(after.approvals).toEqual([]);
  });

  test('caps: globex reads only its own and cannot set acme caps', async () => {
    const acmeBefore = await call('budget.getCaps', 'operator', undefined, 'acme');
    const own = await call('budget.getCaps', 'operator');
    const caps = (own.body as { result: { data: { tenantId: string }[] } }).result.data;
    expect(caps.length).toBeGreaterThan(0);
    expect(caps.every((c) => c.tenantId === OTHER_TENANT)).toBe(true);
    const setAcme = await call('budget.setCaps', 'operator', { caps: defaultCaps() });
    expect([setAcme.status, setAcme.envelope?.code]).toEqual([403, 'FORBIDDEN']);
    const acmeAfter = await call('budget.getCaps', 'operator', undefined, 'acme');
    expect(acmeAfter.body).toEqual(acmeBefore.body);
  });

  test('controls: a globex pause never covers acme; globex sees and resumes only its own', async () => {
    const pause = await call('control.pause', 'operator', {
      scopeType: 'tenant',
      scopeValue: TENANT,
      reason: 'cross-tenant attempt',
    });
    expect(pause.status).toBe(200);
    expect(await acmePlanState()).toBe('awaiting_approval');
    const listed = (await call('control.list', 'operator')).body as {
      result: { data: { tenantId: string; scopeValue: string }[] };
    };
    expect(listed.result.data.map((c) => [c.tenantId, c.scopeValue])).toEqual([
      [OTHER_TENANT, TENANT],
    ]);
    const resumeAcme = await call('control.resume', 'operator', {
      scopeType: 'channel',
      scopeValue: 'sms',
    });
    expect([resumeAcme.status, resumeAcme.envelope?.code]).toEqual([404, 'NOT_FOUND']);
    const acmeControls = (await call('control.list', 'auditor', undefined, 'acme')).body as {
      result: { data: { tenantId: string; scopeValue: string }[] };
    };
    expect(acmeControls.result.data.map((c) => [c.tenantId, c.scopeValue])).toEqual([
      [TENANT, 'sms'],
    ]);
  });

  test('lineage: globex sees only globex events, and nothing of the acme plan', async () => {
    for (const role of OPERATION_ROLES['lineage.query']) {
      const all = (await call('lineage.query', role, { limit: 500 })).body as {
        result: { data: { items: { tenantId: string; planId?: string }[] } };
      };
      expect(all.result.data.items.length).toBeGreaterThan(0);
      expect(
        all.result.data.items.every((e) => e.tenantId === OTHER_TENANT && e.planId !== PLAN_ID),
      ).toBe(true);
      const byPlan = await call('lineage.query', role, { planId: PLAN_ID });
      expect(byPlan.body).toMatchObject({ result: { data: { items: [] } } });
    }
  });

  // Last: it gives globex a plan of its own under the acme plan id.
  test("plans: acme's plan id is as free in globex as an unused one (plan ids are per tenant)", async () => {
    const sameId = await call('plans.submit', 'copilot', {
      plan: { ...fixturePlan(), tenantId: OTHER_TENANT },
    });
    expect(sameId.status).toBe(200);
    expect(sameId.body).toMatchObject({
      result: { data: { planId: PLAN_ID, tenantId: OTHER_TENANT, created: true } },
    });
    const view = await gw.gateway.getPlan(gw.callers.acme.auditor.principal, PLAN_ID);
    expect([view.tenantId, view.state, view.submittedBy]).toEqual([
      TENANT,
      'awaiting_approval',
      'acme-copilot',
    ]);
  });
});
