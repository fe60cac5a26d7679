import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import { SESSION_TTL_MS } from '../../src/auth/sessions.js';
import { CHALLENGE_TTL_MS } from '../../src/console/console-context.js';
import { type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { defaultCaps, fixturePlan } from '../support/harness.js';
import { sqlitePathOf } from '../support/sqlite-of.js';
import { ConsoleBrowser } from './console-browser.js';
import {
  enrolledPerson,
  interceptTx,
  inviteAs,
  type Person,
  signedDecision,
  signIn,
} from './console-support.js';
import { SoftAuthenticator } from './soft-authenticator.js';

/*
 * The console's people over HTTP with a software authenticator (no browser): invitation, passkey enrolment,
 * sign-in into a cookie session with a CSRF token, and passkey approvals bound to the approval view.
 */

let gw: HttpGateway;
let ana: Person;
let ben: Person;

/** Submits a fresh copy of the fixture plan (a new plan id) as acme's copilot; answers its id and option. */
async function submitPlan(): Promise<{ planId: string; optionId: string }> {
  const plan = fixturePlan();
  plan.planId = `019a8f2e-5c4b-7d3e-9a1f-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
  const answer = await rawCall(gw.url, 'plans.submit', {
    type: 'mutation',
    input: { plan },
    credential: gw.callers.acme.copilot.apiKey,
  });
  const view = (answer.body as { result: { data: { state: string } } }).result.data;
  expect(view.state).toBe('awaiting_approval');
  return { planId: plan.planId, optionId: plan.recommendedOptionId };
}

beforeAll(async () => {
  // Caps far above what the test's plans reserve, so each new plan waits for approval.
  const roomy = { amountMinor: 100_000_000, currency: 'EUR' };
  gw = await startHttpGateway({
    caps: defaultCaps().map((cap) => ({ ...(cap as object), limit: roomy })),
  });
  ana = await enrolledPerson(gw, 'ana.finance', ['finance']);
  ben = await enrolledPerson(gw, 'ben.lead', ['marketing_lead']);
});
afterAll(() => gw?.close());

describe('invitation, enrolment and sign-in', () => {
  test('the passkey is in the approver registry and the session is the person (cookie HttpOnly, Strict)', async () => {
    const session = await ana.browser.ok<Record<string, unknown>>('session.get', 'query');
    expect(session).toMatchObject({
      tenantId: 'acme-bank',
      subject: 'ana.finance',
      roles: ['approver'],
      approvalRoles: ['finance'],
    });
    const listed = await rawCall(gw.url, 'approvers.list', {
      type: 'query',
      credential: gw.callers.acme.auditor.apiKey,
    });
    const keys = (listed.body as { result: { data: { kid: string; subject: string }[] } }).result
      .data;
    expect(keys).toContainEqual(
      expect.objectContaining({ kid: `webauthn:${ana.authenticator.id}`, subject: 'ana.finance' }),
    );
    const browser = new ConsoleBrowser(gw.url);
    const { options } = await browser.ok<{ options: { challenge: string } }>(
      'session.signInOptions',
      'mutation',
    );
    const signed = await browser.call('session.signIn', 'mutation', {
      response: ana.authenticator.assert(options.challenge),
    });
    const cookie = signed.setCookie.join('\n');
    expect(cookie).toMatch(
      /^handoff_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/,
    );
    expect(cookie).not.toContain('Secure'); // plain HTTP here; Secure over TLS
    expect(JSON.stringify(signed.data)).not.toContain(browser.cookie?.split('=')[1] ?? '-');
  });

  test('an enrolment link is used once; an unknown token is refused', async () => {
    const again = await new ConsoleBrowser(gw.url).call('passkeys.enrolOptions', 'mutation', {
      token: ana.token,
    });
    expect(again).toMatchObject({ status: 401, envelope: { code: 'ENROLMENT_TOKEN_INVALID' } });
    const unknown = await new ConsoleBrowser(gw.url).call('passkeys.enrolOptions', 'mutation', {
      token: 'A'.repeat(43),
    });
    expect(unknown.envelope?.code).toBe('ENROLMENT_TOKEN_INVALID');
  });

  test('a sign-in challenge answers once; an unknown passkey signs nobody in', async () => {
    const browser = new ConsoleBrowser(gw.url);
    const { options } = await browser.ok<{ options: { challenge: string } }>(
      'session.signInOptions',
      'mutation',
    );
    const response = ana.authenticator.assert(options.challenge);
    expect((await browser.call('session.signIn', 'mutation', { response })).status).toBe(200);
    const replay = await new ConsoleBrowser(gw.url).call('session.signIn', 'mutation', {
      response,
    });
    expect(replay.envelope?.code).toBe('PASSKEY_VERIFICATION_FAILED');
    const stranger = new SoftAuthenticator();
    const fresh = await browser.ok<{ options: { challenge: string } }>(
      'session.signInOptions',
      'mutation',
    );
    const unknown = await new ConsoleBrowser(gw.url).call('session.signIn', 'mutation', {
      response: stranger.assert(fresh.options.challenge),
    });
    expect(unknown.envelope?.code).toBe('PASSKEY_VERIFICATION_FAILED');
    // Refused before its challenge was looked at: the challenge is still open, for an active passkey, once.
    const late = ana.authenticator.assert(fresh.options.challenge);
    const signedIn = await new ConsoleBrowser(gw.url).call('session.signIn', 'mutation', {
      response: late,
    });
    expect(signedIn.status).toBe(200);
    const again = await new ConsoleBrowser(gw.url).call('session.signIn', 'mutation', {
      response: late,
    });
    expect(again.envelope?.code).toBe('PASSKEY_VERIFICATION_FAILED');
  });

  test('a revoked passkey signs nobody in, and leaves the challenge to the passkey that answers it', async () => {
    const rita = await enrolledPerson(gw, 'rita.revoked', ['finance']);
    await rawCall(gw.url, 'approvers.revoke', {
      type: 'mutation',
      input: { kid: `webauthn:${rita.authenticator.id}`, reason: 'left the company' },
      credential: gw.callers.acme.operator.apiKey,
    });
    const browser = new ConsoleBrowser(gw.url);
    const { options } = await browser.ok<{ options: { challenge: string } }>(
      'session.signInOptions',
      'mutation',
    );
    const revoked = await browser.call('session.signIn', 'mutation', {
      response: rita.authenticator.assert(options.challenge),
    });
    expect(revoked.envelope?.code).toBe('PASSKEY_VERIFICATION_FAILED');
    const signed = await browser.call('session.signIn', 'mutation', {
      response: ana.authenticator.assert(options.challenge),
    });
    expect(signed.status).toBe(200);
  });

  test('the store unreachable when the challenge is taken: 503 DATABASE_UNAVAILABLE, not a refused passkey', async () => {
    const browser = new ConsoleBrowser(gw.url);
    const { options } = await browser.ok<{ options: { challenge: string } }>(
      'session.signInOptions',
      'mutation',
    );
    const lost = Object.assign(new Error('connect ECONNREFUSED 10.9.8.7:5432'), {
      code: 'ECONNREFUSED',
    });
    // Every transaction runs as usual, but for taking a challenge, which finds the database gone.
    const spy = interceptTx(gw, 'takeWebauthnChallenge', () => () => Promise.reject(lost));
    try {
      const answer = await browser.call('session.signIn', 'mutation', {
        response: ana.authenticator.assert(options.challenge),
      });
      expect(answer.status).toBe(503);
      expect(answer.envelope?.code).toBe('DATABASE_UNAVAILABLE');
      expect(JSON.stringify(answer.envelope)).not.toContain('10.9.8.7');
    } finally {
      spy.mockRestore();
    }
    // The challenge was never taken: once the database answers again, it signs in.
    const signed = await browser.call('session.signIn', 'mutation', {
      response: ana.authenticator.assert(options.challenge),
    });
    expect(signed.status).toBe(200);
  });

  test("a challenge issued for another tenant is refused to this tenant's passkey, and used up", async () => {
    // No procedure issues a tenant's challenge yet: the row is written as one would be.
    const challenge = randomBytes(32).toString('base64url');
    const challengeHash = createHash('sha256').update(challenge).digest('hex');
    await gw.store.transaction((tx) =>
      tx.issueWebauthnChallenge(
        {
          challengeHash,
          purpose: 'sign-in',
          tenantId: 'globex',
          expiresAt: gw.clock.now() + CHALLENGE_TTL_MS,
        },
        gw.clock.now(),
        1_000_000,
      ),
    );
    const response = ana.authenticator.assert(challenge);
    const refused = await new ConsoleBrowser(gw.url).call('session.signIn', 'mutation', {
      response,
    });
    expect(refused.envelope?.code).toBe('PASSKEY_VERIFICATION_FAILED');
    const left = await gw.store.transaction((tx) =>
      tx.takeWebauthnChallenge(challengeHash, 'sign-in', gw.clock.now()),
    );
    expect(left).toBeUndefined();
  });

  test('a mutation with the session cookie but without the CSRF header is refused and changes nothing', async () => {
    const { planId, optionId } = await submitPlan();
    const body = await signedDecision(ana, planId, optionId);
    const refused = await ana.browser.call('approvals.submitPasskey', 'mutation', body, {
      csrf: false,
    });
    expect(refused).toMatchObject({ status: 403, envelope: { code: 'CSRF_TOKEN_INVALID' } });
    const wrong = { ...ana.browser, csrf: 'x'.repeat(43) };
    const forged = await ConsoleBrowser.prototype.call.call(
      wrong as ConsoleBrowser,
      'approvals.submitPasskey',
      'mutation',
      body,
    );
    expect(forged.envelope?.code).toBe('CSRF_TOKEN_INVALID');
    const plan = await ana.browser.ok<{ approvals: unknown[] }>('plans.get', 'query', { planId });
    expect(plan.approvals).toEqual([]);
    // The same decision with the header goes through.
    const accepted = await ana.browser.ok('approvals.submitPasskey', 'mutation', body);
    expect(accepted).toMatchObject({ decisive: false });
  });
});

describe('passkey approvals', () => {
  test('two people approve with their passkeys: the plan is approved, the assertion is the evidence', async () => {
    const { planId, optionId } = await submitPlan();
    const first = await ana.browser.ok('approvals.submitPasskey', 'mutation', {
      ...(await signedDecision(ana, planId, optionId)),
    });
    expect(first).toMatchObject({ state: 'awaiting_approval', decisive: false });
    const second = await ben.browser.ok<{ state: string; approvals: { approver: string }[] }>(
      'approvals.submitPasskey',
      'mutation',
      await signedDecision(ben, planId, optionId),
    );
    expect(second).toMatchObject({ state: 'approved', decisive: true });
    expect(second.approvals.map((a) => a.approver).sort()).toEqual(['ana.finance', 'ben.lead']);
    // The offline verifier re-verifies each stored assertion against the key recorded for its credential.
    const source = await openDatabaseSource(sqlitePathOf(gw.runtime.loaded.config.database));
    try {
      const report = await verifyLineage(source, { trust: 'unanchored' });
      expect(report).toMatchObject({ ok: true });
      expect(report.approvals).toBeGreaterThanOrEqual(2);
    } finally {
      source.close();
    }
  });

  test('a paused scope holds a passkey decision; a decided plan refuses another', async () => {
    const { planId, optionId } = await submitPlan();
    const body = await signedDecision(ana, planId, optionId);
    const scope = { scopeType: 'workflow', scopeValue: fixturePlan().workflow.workflowId };
    const operator = gw.callers.acme.operator.apiKey;
    const control = (path: string, input: object) =>
      rawCall(gw.url, path, { type: 'mutation', input, credential: operator });
    expect((await control('control.pause', { ...scope, reason: 'console test' })).status).toBe(200);
    const held = await ana.browser.call('approvals.submitPasskey', 'mutation', body);
    expect(held.envelope?.code).toBe('PLAN_NOT_AWAITING_APPROVAL');
    expect((await control('control.resume', scope)).status).toBe(200);
    // Nothing of it was used: the same signed decision goes through once the scope is resumed.
    await ana.browser.ok('approvals.submitPasskey', 'mutation', body);
    await ben.browser.ok(
      'approvals.submitPasskey',
      'mutation',
      await signedDecision(ben, planId, optionId),
    );
    const { viewDigest } = await ana.browser.ok<{ viewDigest: string }>('approvals.view', 'query', {
      planId,
      optionId,
    });
    const stale = await ana.browser.call('approvals.passkeyOptions', 'mutation', {
      planId,
      optionId,
      decision: 'reject',
      viewDigest,
    });
    expect(stale.envelope?.code).toBe('PLAN_NOT_AWAITING_APPROVAL');
  });

  test('an altered view digest is refused, before and after signing', async () => {
    const { planId, optionId } = await submitPlan();
    const body = await signedDecision(ana, planId, optionId);
    const altered = `sha256:${'0'.repeat(64)}`;
    const options = await ana.browser.call('approvals.passkeyOptions', 'mutation', {
      planId,
      optionId,
      decision: 'approve',
      viewDigest: altered,
    });
    expect(options).toMatchObject({ status: 409, envelope: { code: 'APPROVAL_VIEW_MISMATCH' } });
    const submitted = await ana.browser.call('approvals.submitPasskey', 'mutation', {
      ...body,
      viewDigest: altered,
    });
    expect(submitted.envelope?.code).toBe('APPROVAL_VIEW_MISMATCH');
    // Any other signed field changed after signing: the assertion no longer answers the challenge.
    const flipped = await ana.browser.call('approvals.submitPasskey', 'mutation', {
      ...body,
      decision: 'reject',
    });
    expect(flipped.envelope?.code).toBe('PASSKEY_VERIFICATION_FAILED');
    const plan = await ana.browser.ok<{ approvals: unknown[] }>('plans.get', 'query', { planId });
    expect(plan.approvals).toEqual([]);
  });

  test('a maxSpend above the option budget is APPROVAL_SPEND_WIDENED, before and after signing', async () => {
    const { planId, optionId } = await submitPlan();
    const budget = fixturePlan().options.find((o) => o.optionId === optionId)?.budget.amount;
    if (budget === undefined) throw new Error('the fixture option has a budget');
    const wide = { ...budget, amountMinor: budget.amountMinor + 1 };
    const { viewDigest } = await ana.browser.ok<{ viewDigest: string }>('approvals.view', 'query', {
      planId,
      optionId,
    });
    const decision = { planId, optionId, decision: 'approve', viewDigest };
    const options = await ana.browser.call('approvals.passkeyOptions', 'mutation', {
      ...decision,
      maxSpend: wide,
    });
    expect(options).toMatchObject({
      status: 422,
      envelope: {
        code: 'APPROVAL_SPEND_WIDENED',
        issues: [{ path: '/maxSpend/amountMinor', code: 'APPROVAL_SPEND_WIDENED' }],
      },
    });
    // A decision signed at the budget, submitted with a widened maxSpend, is refused the same way.
    const body = await signedDecision(ana, planId, optionId);
    const submitted = await ana.browser.call('approvals.submitPasskey', 'mutation', {
      ...body,
      maxSpend: wide,
    });
    expect(submitted.envelope?.code).toBe('APPROVAL_SPEND_WIDENED');
    const plan = await ana.browser.ok<{ approvals: unknown[] }>('plans.get', 'query', { planId });
    expect(plan.approvals).toEqual([]);
  });

  test("one approver cannot sign with another's passkey", async () => {
    const { planId, optionId } = await submitPlan();
    const anas = await signedDecision(ana, planId, optionId);
    const asBen = await ben.browser.call('approvals.submitPasskey', 'mutation', anas);
    expect(asBen).toMatchObject({ status: 403, envelope: { code: 'APPROVAL_SUBJECT_MISMATCH' } });
    const plan = await ben.browser.ok<{ approvals: unknown[] }>('plans.get', 'query', { planId });
    expect(plan.approvals).toEqual([]);
  });

  test('a replayed assertion is refused', async () => {
    const { planId, optionId } = await submitPlan();
    const body = await signedDecision(ana, planId, optionId);
    await ana.browser.ok('approvals.submitPasskey', 'mutation', body);
    const replay = await ana.browser.call('approvals.submitPasskey', 'mutation', body);
    expect(replay).toMatchObject({ status: 409, envelope: { code: 'APPROVAL_REPLAYED' } });
    const plan = await ana.browser.ok<{ approvals: unknown[] }>('plans.get', 'query', { planId });
    expect(plan.approvals).toHaveLength(1);
  });
});

// Last: these move the gateway's clock forward (sessions signed in before them expire).
describe('time', () => {
  test('a session expires, and signing out ends it', async () => {
    const browser = new ConsoleBrowser(gw.url);
    await signIn(browser, ana.authenticator);
    expect((await browser.call('session.get', 'query')).status).toBe(200);
    gw.clock.advance(SESSION_TTL_MS);
    expect((await browser.call('session.get', 'query')).envelope?.code).toBe('UNAUTHENTICATED');
    const other = new ConsoleBrowser(gw.url);
    await signIn(other, ana.authenticator);
    const kept = other.cookie;
    expect((await other.call('session.signOut', 'mutation')).data).toEqual({ signedOut: true });
    other.cookie = kept;
    expect((await other.call('session.get', 'query')).envelope?.code).toBe('UNAUTHENTICATED');
  });

  test('a sign-in challenge answered after its 5 minutes is refused, and not kept', async () => {
    const browser = new ConsoleBrowser(gw.url);
    const { options } = await browser.ok<{ options: { challenge: string } }>(
      'session.signInOptions',
      'mutation',
    );
    gw.clock.advance(CHALLENGE_TTL_MS);
    const late = await browser.call('session.signIn', 'mutation', {
      response: ana.authenticator.assert(options.challenge),
    });
    expect(late.envelope?.code).toBe('PASSKEY_VERIFICATION_FAILED');
    const left = await gw.store.transaction((tx) => tx.deleteExpiredWebauthnChallenges(Infinity));
    expect(left).toBe(0);
  });

  test('an enrolment link expires', async () => {
    const token = await inviteAs(gw, { subject: 'late.larry', roles: ['finance'] });
    gw.clock.advance(73 * 60 * 60 * 1000);
    const late = await new ConsoleBrowser(gw.url).call('passkeys.enrolOptions', 'mutation', {
      token,
    });
    expect(late.envelope?.code).toBe('ENROLMENT_TOKEN_INVALID');
  });
});
