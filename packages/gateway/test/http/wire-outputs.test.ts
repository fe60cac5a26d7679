import {
  ERROR_CODES,
  type ErrorCode,
  type HandoffPlan,
  WIRE_PROCEDURES,
  type WireProcedurePath,
} from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { checkpointKey } from '../audit/support.js';
import { twoActionPlan } from '../dispatch/dispatch-support.js';
import { inDoubt, scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { outcomeReport } from '../outcomes/outcome-support.js';
import { defaultCaps, fixturePlan, TENANT } from '../support/harness.js';
import {
  GATEWAY_ID,
  type HttpCaller,
  type HttpGateway,
  rawCall,
  startHttpGateway,
} from './http-fixture.js';

/*
 * The wire API's output schemas are the contract a vendor in any language codes against, but the gateway does not
 * validate its answers at run time (it would cost the hot path). So this test drives a real gateway over plain
 * HTTP through every procedure of WIRE_PROCEDURES and checks each answer against the procedure's protocol output
 * schema (strict objects: a member the gateway adds or drops without the protocol fails here), and each refusal
 * against ERROR_CODES (its HTTP status) and the procedure's listed errors.
 */

/** A plan id of the fixture plan's shape, numbered. */
const planIdOf = (n: number) => `019a8f2e-5c4b-7d3e-9a1f-${String(n).padStart(12, '0')}`;
/** The fixture plan under id `n`; plan 1 has two hubspot actions (two dispatches). */
const planOf = (n: number): HandoffPlan => ({
  ...(n === 1 ? twoActionPlan() : fixturePlan()),
  planId: planIdOf(n),
});

let gw: HttpGateway;
/** Procedures whose success answer was checked against its output schema. */
const answered = new Set<WireProcedurePath>();
/** Procedures whose refusal was checked against ERROR_CODES. */
const refused = new Set<WireProcedurePath>();

/** Calls `path` over HTTP as `caller`, expects success and checks `result.data` against the output schema. */
async function ok(path: WireProcedurePath, caller: HttpCaller | undefined, input?: unknown) {
  const procedure = WIRE_PROCEDURES[path];
  const answer = await rawCall(gw.url, path, {
    type: procedure.kind,
    ...(input === undefined ? {} : { input }),
    ...(caller ? { credential: caller.apiKey } : {}),
  });
  expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(200);
  const data = (answer.body as { result: { data: unknown } }).result.data;
  const parsed = procedure.output.safeParse(data);
  expect(parsed.success ? [] : parsed.error.issues, `${path} answer drifted`).toEqual([]);
  answered.add(path);
  return data as never;
}

/** Calls `path` expecting the refusal `code`, with its ERROR_CODES status, and one the procedure lists. */
/** Calls a console procedure without input over a session's cookie (and CSRF header); checks its answer. */
async function okWithSession(path: WireProcedurePath, headers: Record<string, string>) {
  const procedure = WIRE_PROCEDURES[path];
  const response =
    procedure.kind === 'query'
      ? await fetch(`${gw.url}/${path}`, { headers })
      : await fetch(`${gw.url}/${path}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: '{}',
        });
  const body = (await response.json()) as { result?: { data: unknown } };
  expect(response.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  const parsed = procedure.output.safeParse(body.result?.data);
  expect(parsed.success ? [] : parsed.error.issues, `${path} answer drifted`).toEqual([]);
  answered.add(path);
}

async function no(path: WireProcedurePath, caller: HttpCaller, input: unknown, code: ErrorCode) {
  const answer = await rawCall(gw.url, path, {
    type: WIRE_PROCEDURES[path].kind,
    input,
    credential: caller.apiKey,
  });
  expect(answer.envelope?.code).toBe(code);
  expect(answer.status).toBe(ERROR_CODES[code].http);
  expect(WIRE_PROCEDURES[path].errors as readonly string[]).toContain(code);
  refused.add(path);
}

beforeAll(async () => {
  // Every hubspot request leaves its dispatch in doubt, for an operator to retry, confirm or abandon.
  const hubspot = scriptedAdapter('hubspot', { steps: [inDoubt(), inDoubt(), inDoubt()] });
  gw = await startHttpGateway({ adapters: [hubspot.adapter] });
});
afterAll(() => gw?.close());

describe('every wire procedure answers what its protocol output schema says', () => {
  test('plans, approvals, dispatch, budget, control, approvers, lineage and health', async () => {
    const { copilot, approver, operator, auditor } = gw.callers.acme;
    await ok('health', undefined);

    const submitted: { planId: string } = await ok('plans.submit', copilot, { plan: planOf(1) });
    await ok('plans.submit', copilot, { plan: planOf(1) });
    // The hubspot cap (EUR 700.00 a month) cannot hold a second EUR 645.00: rejected with a budget refusal.
    const overBudget: { budgetRefusal: unknown } = await ok('plans.submit', copilot, {
      plan: planOf(2),
    });
    expect(overBudget.budgetRefusal).not.toBeNull();
    await no(
      'plans.submit',
      copilot,
      { plan: { ...planOf(1), createdAt: '2026-11-21T09:01:00Z' } },
      'PLAN_CONFLICT',
    );
    const batch: { ok: boolean }[] = await ok('plans.submitBatch', copilot, {
      plans: [{ plan: planOf(1) }, { plan: { planId: 'nope' } }],
    });
    expect(batch.map((b) => b.ok)).toEqual([true, false]);
    await ok('plans.dryRun', operator, { plan: planOf(3) });
    await ok('plans.get', auditor, { planId: submitted.planId });
    await no('plans.get', auditor, { planId: planIdOf(99) }, 'NOT_FOUND');
    const page: { nextCursor?: string } = await ok('plans.list', auditor, { limit: 1 });
    await ok('plans.list', auditor, { cursor: page.nextCursor });

    const view = await gw.gateway.getPlan(operator.principal, submitted.planId);
    const finance = await gw.sign(view, {
      key: gw.keys.finance,
      sub: 'fiona.finance',
      role: 'finance',
    });
    await ok('approvals.submit', approver, { token: finance });
    await no('approvals.submit', approver, { token: finance }, 'APPROVAL_REPLAYED');
    const marketing = { key: gw.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' };
    await ok('approvals.submit', approver, { token: await gw.sign(view, marketing) });
    await gw.runtime.dispatcher.runDue();

    const rows: { idempotencyKey: string; status: string }[] = await ok('dispatch.list', auditor, {
      planId: submitted.planId,
    });
    expect(rows.map((r) => r.status)).toEqual(['in_doubt', 'in_doubt']);
    const [first, second] = rows.map((r) => ({ idempotencyKey: r.idempotencyKey }));
    await ok('dispatch.retry', operator, { ...first, reason: 'sent again' });
    await gw.runtime.dispatcher.runDue();
    await ok('dispatch.confirm', operator, { ...first, reason: 'seen in hubspot' });
    await no(
      'dispatch.confirm',
      operator,
      { ...first, reason: 'twice' },
      'DISPATCH_STATE_CONFLICT',
    );
    await ok('dispatch.abandon', operator, { ...second, reason: 'not in hubspot' });
    // Partially failed now: its enrolment is listed irreversible (this hubspot reverses nothing).
    const rollback = { planId: submitted.planId, reason: 'wire check' };
    const undone: { irreversible: unknown[] } = await ok('plans.rollback', operator, rollback);
    expect(undone.irreversible).toHaveLength(1);
    await no('plans.rollback', operator, rollback, 'ROLLBACK_ALREADY_REQUESTED');
    const key = first?.idempotencyKey ?? '';
    const interim = outcomeReport({
      planId: submitted.planId,
      interim: true,
      observedAt: '2026-11-21T09:30:00Z',
    });
    await ok('outcomes.report', gw.callers.acme.reporter, { report: interim });
    const early = { ...interim, reportId: 'too-early', interim: false };
    await no('outcomes.report', operator, { report: early }, 'OUTCOME_HORIZON_NOT_OVER');
    await ok('copilots.calibration', auditor);
    await ok('policy.get', copilot);

    await ok('budget.getCaps', auditor);
    // Room for plan 4 (the hubspot cap is spent by now).
    const roomy = defaultCaps().map((c) => ({
      ...(c as object),
      limit: { amountMinor: 10_000_000, currency: 'EUR' },
    }));
    await ok('budget.setCaps', operator, { caps: roomy });
    await no('budget.setCaps', operator, { caps: [{ capId: 'x' }] }, 'BUDGET_CAP_INVALID');
    await no('budget.setCaps', operator, { caps: [] }, 'BUDGET_CAPS_EMPTY');
    expect(await ok('budget.getCaps', operator)).toHaveLength(roomy.length);

    const pending = await ok('plans.submit', copilot, { plan: planOf(4) });
    expect(pending).toMatchObject({ state: 'awaiting_approval' });
    const paused: unknown[] = await ok('control.pause', operator, {
      scopeType: 'workflow',
      scopeValue: planOf(4).workflow.workflowId,
      reason: 'wire check',
    });
    expect(paused.length).toBeGreaterThan(0);
    await ok('control.list', auditor);
    await ok('control.resume', operator, {
      scopeType: 'workflow',
      scopeValue: planOf(4).workflow.workflowId,
    });
    await ok('plans.cancel', copilot, { planId: planIdOf(4), reason: 'wire check' });

    const keys = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'wire-1' });
    const next = await generateSigningKeyPair({ alg: 'ES256', kid: 'wire-2' });
    const spare = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'wire-3' });
    await ok('approvers.register', operator, {
      kid: 'wire-1',
      subject: 'wendy.wire',
      roles: ['finance'],
      jwk: keys.publicJwk,
    });
    await ok('approvers.rotate', operator, {
      oldKid: 'wire-1',
      kid: 'wire-2',
      jwk: next.publicJwk,
      reason: 'rotation',
    });
    await ok('approvers.register', operator, {
      kid: 'wire-3',
      subject: 'walt.wire',
      roles: ['finance'],
      jwk: spare.publicJwk,
    });
    await ok('approvers.revoke', operator, { kid: 'wire-3', reason: 'left' });
    await no(
      'approvers.revoke',
      operator,
      { kid: 'wire-3', reason: 'again' },
      'APPROVER_REGISTRY_CONFLICT',
    );
    await ok('approvers.list', auditor);

    // Every event this test caused (plans, policy, budget, approvals, dispatch, controls, registry).
    const events: { items: unknown[] } = await ok('lineage.query', auditor, { limit: 500 });
    expect(events.items.length).toBeGreaterThan(20);
    await ok('lineage.trace', auditor, { actionId: planOf(1).options[0]?.actions[0]?.actionId });
    await ok('lineage.trace', auditor, { planId: submitted.planId });
    await ok('lineage.trace', auditor, { idempotencyKey: key });
    await no('lineage.trace', auditor, {}, 'VALIDATION_FAILED');
    const candidate =
      'id: wire\nversion: "1"\nrules:\n  - { id: r, type: max_risk, enforcement: hard_mandatory, limits: { ai_assisted: 0.1 } }\n';
    const shadow: { rules: unknown[] } = await ok('policy.shadow', auditor, { policy: candidate });
    expect(shadow.rules.length).toBeGreaterThan(0);
    await no('policy.shadow', auditor, { policy: 'id: [' }, 'VALIDATION_FAILED');

    // The transparency log, sequenced in process (this gateway runs no sequencer): a head of 1 event, then all.
    const logKey = await checkpointKey('cp-wire');
    const log = { key: logKey, gatewayId: GATEWAY_ID, clock: gw.clock };
    await new Sequencer(gw.store, { ...log, maxBatch: 1 }).sequence();
    await new Sequencer(gw.store, log).sequenceAll();
    await ok('lineage.treeHead', auditor);
    const [own] = events.items as { hash: string }[];
    await ok('lineage.proveInclusion', auditor, { eventHash: own?.hash });
    await ok('lineage.proveConsistency', auditor, { from: 1 });
    await no('lineage.proveConsistency', auditor, { from: 2 }, 'NOT_FOUND');

    // The console procedures a plain HTTP client can call.
    await ok('approvers.invite', operator, { subject: 'nina.finance', roles: ['finance'] });
    const plan = planOf(1);
    await ok('approvals.view', approver, {
      planId: plan.planId,
      optionId: plan.recommendedOptionId,
    });
    // A session as a passkey sign-in opens it (in process: the sign-in is a WebAuthn ceremony), in its cookie.
    const { id, session } = await gw.gateway.console.context.sessions.open({
      tenantId: TENANT,
      subject: 'fiona.finance',
      access: ['approver'],
      approvalRoles: ['finance'],
    });
    const signedIn = { cookie: `handoff_session=${id}`, 'x-handoff-csrf': session.csrfToken };
    await okWithSession('session.get', signedIn);
    await okWithSession('session.signOut', signedIn);

    // The WebAuthn ceremonies (a fresh challenge answered by a passkey): test/console drives each with a software
    // authenticator and checks its output schema.
    const ceremonies = [
      'passkeys.enrolOptions',
      'passkeys.enrol',
      'session.signInOptions',
      'session.signIn',
      'approvals.passkeyOptions',
      'approvals.submitPasskey',
    ];
    const built = Object.keys(WIRE_PROCEDURES).filter((p) => !ceremonies.includes(p));
    expect([...answered].sort()).toEqual(built.sort());
    expect(refused.size).toBeGreaterThan(0);
  });
});
