import {
  AuthenticationResponseJsonSchema,
  RegistrationResponseJsonSchema,
} from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { SoftAuthenticator } from '../console/soft-authenticator.js';
import { expectGatewayError, planVariant } from '../pipeline/helpers.js';
import { type Harness, TENANT } from '../support/harness.js';

/** Two gateways on one database: `a` is the harness's own, `b` another gateway (replica) on the same data. */
export interface TwoReplicas {
  /** The harness of replica `a` (its callers, keys, clock and signer serve both replicas). */
  h: Harness;
  a: Gateway;
  b: Gateway;
  close(): Promise<void>;
}

/**
 * Issue 15: "no in-memory cache of anything another replica can change". Each case changes something through
 * replica `a` and acts through replica `b` at once, with no restart and no wait: a pause, a revocation, a cap, a
 * spent token, a submitted plan and a console session made on one are honoured by the other.
 * `open` makes the two replicas: on SQLite two gateways sharing one store, on PostgreSQL two runtimes with a pool
 * each on one database.
 */
export function defineReplicaStateCases(name: string, open: () => Promise<TwoReplicas>): void {
  describe(`${name}: a change made through one replica holds at once on another`, () => {
    let replicas: TwoReplicas | undefined;
    const two = async () => {
      replicas = await open();
      return replicas;
    };
    afterEach(async () => {
      await replicas?.close();
      replicas = undefined;
    });

    test('a tenant paused on one replica: a plan arriving on the other is paused', async () => {
      const { h, a, b } = await two();
      await a.pause(
        h.callers.operator.principal,
        { scopeType: 'tenant', scopeValue: TENANT },
        'incident 15',
      );
      const late = await b.submitPlan(h.callers.copilot.principal, planVariant(1));
      expect(late).toMatchObject({ state: 'paused', pausedFrom: 'awaiting_approval' });
      await a.resume(h.callers.operator.principal, { scopeType: 'tenant', scopeValue: TENANT });
      expect((await b.getPlan(h.callers.operator.principal, late.planId)).state).toBe(
        'awaiting_approval',
      );
    });

    test("a key revoked on one replica: the other refuses that key's approval", async () => {
      const { h, a, b } = await two();
      const view = await b.submitPlan(h.callers.copilot.principal, planVariant(2));
      const token = await h.sign(view, {
        key: h.keys.finance,
        sub: 'fiona.finance',
        role: 'finance',
      });
      await a.revokeApprover(h.callers.operator.principal, {
        kid: h.keys.finance.kid,
        reason: 'laptop stolen',
      });
      await expectGatewayError(
        b.submitApproval(h.callers.approver.principal, token),
        'APPROVAL_KEY_REVOKED',
      );
      expect((await a.getPlan(h.callers.operator.principal, view.planId)).approvals).toEqual([]);
    });

    test('a cap lowered on one replica bounds the next reservation on the other', async () => {
      const { h, a, b } = await two();
      const caps = await a.getCaps(h.callers.operator.principal);
      const lowered = caps.map(({ usage: _, ...cap }) => ({
        ...cap,
        limit: { ...cap.limit, amountMinor: 1 },
      }));
      await a.setCaps(h.callers.operator.principal, lowered);
      const refused = await b.submitPlan(h.callers.copilot.principal, planVariant(3));
      expect(refused).toMatchObject({ state: 'rejected', reasonCode: 'BUDGET_EXCEEDED' });
    });

    test('a token spent on one replica is a replay on the other', async () => {
      const { h, a, b } = await two();
      const view = await a.submitPlan(h.callers.copilot.principal, planVariant(4));
      const token = await h.sign(view, {
        key: h.keys.finance,
        sub: 'fiona.finance',
        role: 'finance',
      });
      await a.submitApproval(h.callers.approver.principal, token);
      await expectGatewayError(
        b.submitApproval(h.callers.approver.principal, token),
        'APPROVAL_REPLAYED',
      );
    });

    test('a plan submitted on one replica: resubmitted on the other, it is the same plan', async () => {
      const { h, a, b } = await two();
      const first = await a.submitPlan(h.callers.copilot.principal, planVariant(5));
      const again = await b.submitPlan(h.callers.copilot.principal, planVariant(5));
      expect(again).toMatchObject({ created: false, planId: first.planId, digest: first.digest });
    });

    test('a console session opened on one replica is accepted by the other; signing out ends it on both', async () => {
      const { a, b } = await two();
      const person = { tenantId: TENANT, subject: 'fiona.finance', access: ['approver' as const] };
      const { id, session } = await a.console.context.sessions.open({
        ...person,
        approvalRoles: ['finance'],
      });
      expect(await b.console.session(id)).toEqual(session);
      await b.console.signOut(
        { id: person.subject, tenantId: TENANT, roles: person.access, via: 'session' },
        id,
      );
      expect(await a.console.session(id)).toBeUndefined();
      expect(await b.console.session(id)).toBeUndefined();
    });

    test('a sign-in begun on one replica completes on the other, and its challenge answers once', async () => {
      const { h, a, b } = await two();
      const { enrolmentUrl } = await a.console.invite(h.callers.operator.principal, {
        subject: 'ana.finance',
        roles: ['finance'],
      });
      const token = enrolmentUrl.split('#')[1] ?? '';
      const passkey = new SoftAuthenticator();
      const enrolment = await a.console.enrolOptions(token);
      await b.console.enrol(
        token,
        RegistrationResponseJsonSchema.parse(passkey.register(enrolment.options.challenge)),
      );
      const { options } = await a.console.signInOptions();
      // Parsed as the router parses the wire input.
      const response = AuthenticationResponseJsonSchema.parse(passkey.assert(options.challenge));
      const { id } = await b.console.signIn(response);
      expect(await a.console.session(id)).toMatchObject({
        subject: 'ana.finance',
        tenantId: TENANT,
      });
      await expectGatewayError(a.console.signIn(response), 'PASSKEY_VERIFICATION_FAILED');
    });
  });
}
