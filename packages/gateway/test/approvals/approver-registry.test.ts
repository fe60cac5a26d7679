import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { NO_COPILOTS } from '../../src/approvals/approver-registry.js';
import { configuredApproverKeys, seedApprovers } from '../../src/approvals/seed-approvers.js';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { approvalKit } from '../pipeline/approval-support.js';
import { count, expectGatewayError, lineage, rows, snapshot } from '../pipeline/helpers.js';
import {
  approverEntry,
  createHarness,
  fixturePlan,
  type Harness,
  OTHER_TENANT,
  TENANT,
} from '../support/harness.js';

let h: Harness | undefined;
let reopened: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await reopened?.close();
  h = undefined;
  reopened = undefined;
});

async function started(options: Parameters<typeof createHarness>[0] = {}) {
  h = await createHarness(options);
  const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
  return { h, k: approvalKit(h), view };
}

describe('registration', () => {
  test('config entries are seeded once, with their lineage event; the registry pins the public JWK', async () => {
    const { h } = await started();
    const listed = await h.gateway.listApprovers(h.callers.auditor.principal);
    expect(listed.map((a) => [a.subject, a.roles, a.status])).toEqual([
      ['fiona.finance', ['finance'], 'active'],
      ['fred.finance', ['finance'], 'active'],
      ['mark.lead', ['marketing_lead'], 'active'],
      ['mary.lead', ['marketing_lead'], 'active'],
    ]);
    const fiona = listed[0];
    expect(fiona?.kid).toBe(h.keys.finance.kid);
    expect(fiona?.jwk).not.toHaveProperty('d');
    const events = await lineage(h, { types: ['control.approver_registered'] });
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({
      tenantId: TENANT,
      actor: { type: 'system', id: 'config' },
      data: { kid: h.keys.finance.kid, subject: 'fiona.finance', thumbprint: fiona?.thumbprint },
    });
    expect(JSON.stringify(events)).not.toContain('"d"');
    // Another tenant sees none of them.
    expect(await h.gateway.listApprovers(h.callers.otherAuditor.principal)).toEqual([]);
  });

  test('an operator registers a key for its own tenant only, never twice, never for a copilot', async () => {
    const { h } = await started();
    const key = await generateSigningKeyPair({ alg: 'ES256' });
    const operator = h.callers.operator.principal;
    const input = { kid: key.kid, subject: 'olga.finance', roles: ['finance'], jwk: key.publicJwk };
    const registered = await h.gateway.registerApprover(operator, input);
    expect(registered).toMatchObject({
      subject: 'olga.finance',
      tenantId: TENANT,
      status: 'active',
    });
    const before = snapshot(h);
    await expectGatewayError(
      h.gateway.registerApprover(operator, input),
      'APPROVER_REGISTRY_CONFLICT',
    );
    const { kid: _kid, ...material } = key.publicJwk;
    await expectGatewayError(
      h.gateway.registerApprover(operator, { ...input, kid: 'same-key-other-kid', jwk: material }),
      'APPROVER_REGISTRY_CONFLICT',
    );
    const other = await generateSigningKeyPair({ alg: 'EdDSA' });
    const fresh = { ...input, kid: other.kid, jwk: other.publicJwk };
    await expectGatewayError(
      h.gateway.registerApprover(operator, { ...fresh, subject: 'copilot-1' }),
      'APPROVER_REGISTRY_CONFLICT',
    );
    await expectGatewayError(
      h.gateway.registerApprover(operator, { ...fresh, tenantId: OTHER_TENANT }),
      'FORBIDDEN',
    );
    await expectGatewayError(
      h.gateway.registerApprover(operator, { ...fresh, jwk: other.privateJwk }),
      'VALIDATION_FAILED',
    );
    await expectGatewayError(
      h.gateway.registerApprover(h.callers.auditor.principal, fresh),
      'FORBIDDEN',
    );
    expect(snapshot(h)).toEqual(before);
    expect(count(h, 'approver_keys')).toBe(5);
  });
});

describe('verification with the pinned key', () => {
  test('a token signed by another key under a registered kid is APPROVAL_INVALID_SIGNATURE', async () => {
    const { h, k, view } = await started();
    const impostor = await generateSigningKeyPair({ alg: 'EdDSA', kid: h.keys.finance.kid });
    await k.expectRefused(await k.finance(view, { key: impostor }), 'APPROVAL_INVALID_SIGNATURE');
  });
});

describe('revocation and rotation', () => {
  test("a revoked key's later tokens are refused APPROVAL_KEY_REVOKED, and the revocation is in the lineage", async () => {
    const { h, k, view } = await started();
    const early = await k.finance(view);
    const operator = h.callers.operator.principal;
    await expectGatewayError(
      h.gateway.revokeApprover(h.callers.otherOperator.principal, {
        kid: h.keys.finance.kid,
        reason: 'not yours',
      }),
      'NOT_FOUND',
    );
    const revoked = await h.gateway.revokeApprover(operator, {
      kid: h.keys.finance.kid,
      reason: 'laptop lost',
    });
    expect(revoked).toMatchObject({
      status: 'revoked',
      revokedBy: 'operator-1',
      reason: 'laptop lost',
    });
    const [event] = await lineage(h, { types: ['control.approver_revoked'] });
    expect(event).toMatchObject({
      tenantId: TENANT,
      actor: { type: 'operator', id: 'operator-1' },
      data: { kid: h.keys.finance.kid, subject: 'fiona.finance', reason: 'laptop lost' },
    });
    // A token signed before the revocation is refused too: what counts is when it is presented.
    await k.expectRefused(early, 'APPROVAL_KEY_REVOKED');
    await k.expectRefused(await k.finance(view), 'APPROVAL_KEY_REVOKED');
    await expectGatewayError(
      h.gateway.revokeApprover(operator, { kid: h.keys.finance.kid, reason: 'again' }),
      'APPROVER_REGISTRY_CONFLICT',
    );
    expect((await h.gateway.getPlan(operator, view.planId)).approvals).toEqual([]);
  });

  test('rotation registers the new key for the same identity and revokes the old one in one step', async () => {
    const { h, k, view } = await started();
    const next = await generateSigningKeyPair({ alg: 'EdDSA' });
    const operator = h.callers.operator.principal;
    const { registered, revoked } = await h.gateway.rotateApprover(operator, {
      oldKid: h.keys.finance.kid,
      kid: next.kid,
      jwk: next.publicJwk,
      reason: 'yearly rotation',
    });
    expect(registered).toMatchObject({
      subject: 'fiona.finance',
      roles: ['finance'],
      status: 'active',
    });
    expect(revoked).toMatchObject({ kid: h.keys.finance.kid, status: 'revoked' });
    await k.expectRefused(await k.finance(view), 'APPROVAL_KEY_REVOKED');
    const accepted = await k.submit(await k.finance(view, { key: next }));
    expect(accepted.approvals.map((a) => a.approver)).toEqual(['fiona.finance']);
    // A rotation that cannot register changes nothing: the old key stays as it was.
    const before = snapshot(h);
    await expectGatewayError(
      h.gateway.rotateApprover(operator, {
        oldKid: h.keys.marketing.kid,
        kid: next.kid,
        jwk: next.publicJwk,
        reason: 'reuses a kid',
      }),
      'APPROVER_REGISTRY_CONFLICT',
    );
    expect(snapshot(h)).toEqual(before);
    const mark = (await h.gateway.listApprovers(operator)).find((a) => a.subject === 'mark.lead');
    expect(mark?.status).toBe('active');
  });
});

describe('quorum by registered identity', () => {
  test('one identity holding both roles counts once, whatever keys it holds', async () => {
    const one = await generateSigningKeyPair({ alg: 'EdDSA' });
    const two = await generateSigningKeyPair({ alg: 'ES256' });
    const { h, k, view } = await started({
      approvers: [
        approverEntry(one, 'dana.dual', ['finance', 'marketing_lead']),
        approverEntry(two, 'dana.dual', ['finance', 'marketing_lead']),
      ],
    });
    const first = await k.submit(await k.finance(view, { key: one, sub: 'dana.dual' }));
    expect(first.gates[0]).toMatchObject({ approvers: ['dana.dual'], satisfied: false });
    await k.expectRefused(
      await k.marketing(view, { key: two, sub: 'dana.dual' }),
      'APPROVAL_DUPLICATE_APPROVER',
      view.planId,
    );
    const done = await k.submit(await k.marketing(view));
    expect(done).toMatchObject({ state: 'approved', decisive: true });
    expect(done.approvals.map((a) => [a.approver, a.role])).toEqual([
      ['dana.dual', 'finance'],
      ['mark.lead', 'marketing_lead'],
    ]);
    const accepted = rows<{ body: string }>(
      h,
      "select body from lineage_events where type = 'approval.accepted' order by id",
    ).map((r) => JSON.parse(r.body).data);
    expect(accepted.map((d) => d.presentedBy)).toEqual(['approver-desk', 'approver-desk']);
  });
});

describe('seeding from configuration on restart', () => {
  test('a config entry that disagrees with its registration fails the start (APPROVER_REGISTRY_CONFLICT)', async () => {
    const olga = await generateSigningKeyPair({ alg: 'EdDSA' });
    const first = await createHarness({
      approvers: [approverEntry(olga, 'olga.finance', ['finance'])],
    });
    const databasePath = join(first.dir, 'gateway.db');
    await first.close();
    const swapped = await generateSigningKeyPair({ alg: 'EdDSA', kid: olga.kid });
    for (const entry of [
      approverEntry(olga, 'mallory', ['finance']),
      approverEntry(olga, 'olga.finance', ['finance', 'marketing_lead']),
      // The same kid with another key: a changed key set cannot swap the key under a registered kid.
      approverEntry(swapped, 'olga.finance', ['finance']),
    ]) {
      await expect(
        createHarness({ databasePath, keys: first.keys, approvers: [entry] }),
      ).rejects.toMatchObject({ code: 'APPROVER_REGISTRY_CONFLICT' });
    }
    // The registry is as the first start left it, and the same entry starts again without a new event.
    reopened = await createHarness({
      databasePath,
      keys: first.keys,
      approvers: [approverEntry(olga, 'olga.finance', ['finance'])],
    });
    expect(await lineage(reopened, { types: ['control.approver_registered'] })).toHaveLength(5);
  });

  test("the same kid and key listed for another tenant is that tenant's own registration", async () => {
    const olga = await generateSigningKeyPair({ alg: 'EdDSA' });
    const first = await createHarness({
      approvers: [approverEntry(olga, 'olga.finance', ['finance'])],
    });
    const databasePath = join(first.dir, 'gateway.db');
    await first.close();
    // Kids are per tenant: the other tenant's entry is registered there, the first tenant's is left as it was.
    reopened = await createHarness({
      databasePath,
      keys: first.keys,
      approvers: [
        approverEntry(olga, 'olga.finance', ['finance']),
        approverEntry(olga, 'otto.globex', ['marketing_lead'], OTHER_TENANT),
      ],
    });
    const registered = (tenantId: string) =>
      reopened?.runtime.store.transaction((tx) => tx.getApproverKey(tenantId, olga.kid));
    expect(await registered(TENANT)).toMatchObject({ subject: 'olga.finance', roles: ['finance'] });
    expect(await registered(OTHER_TENANT)).toMatchObject({
      tenantId: OTHER_TENANT,
      subject: 'otto.globex',
      roles: ['marketing_lead'],
      thumbprint: (await registered(TENANT))?.thumbprint,
    });
    expect(await lineage(reopened, { types: ['control.approver_registered'] })).toHaveLength(5);
    // Listed twice for one tenant is a config error; once per tenant is not.
    await expect(
      createHarness({
        approvers: [
          approverEntry(olga, 'olga.finance', ['finance']),
          approverEntry(olga, 'olga.finance', ['finance']),
        ],
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('listed twice for tenant'),
    });
  });

  test('a kid not found in approvals.keys fails the start with CONFIG_INVALID naming it', async () => {
    await expect(
      createHarness({
        approvers: [{ kid: 'nowhere', subject: 'x', tenantId: TENANT, roles: ['finance'] }],
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('"nowhere"'),
    });
  });

  test('a revoked kid stays revoked when the config still lists it, and nothing is re-seeded', async () => {
    const first = await createHarness();
    await first.gateway.revokeApprover(first.callers.operator.principal, {
      kid: first.keys.fred.kid,
      reason: 'left the bank',
    });
    const databasePath = join(first.dir, 'gateway.db');
    await first.close();
    reopened = await createHarness({ databasePath, keys: first.keys });
    const fred = (await reopened.gateway.listApprovers(reopened.callers.auditor.principal)).find(
      (a) => a.subject === 'fred.finance',
    );
    expect(fred?.status).toBe('revoked');
    expect(await lineage(reopened, { types: ['control.approver_registered'] })).toHaveLength(4);
    const view: PlanView = await reopened.gateway.submitPlan(
      reopened.callers.copilot.principal,
      fixturePlan(),
    );
    await approvalKit(reopened).expectRefused(
      await reopened.sign(view, { key: first.keys.fred, sub: 'fred.finance', role: 'finance' }),
      'APPROVAL_KEY_REVOKED',
    );
    // The start goes on and is told which listed kid stays revoked (the runtime logs it as a warning).
    const told: string[] = [];
    const listed = await configuredApproverKeys(
      [
        {
          kid: first.keys.fred.kid,
          subject: 'fred.finance',
          tenantId: TENANT,
          roles: ['finance'],
          jwk: first.keys.fred.publicJwk,
        },
      ],
      undefined,
      reopened.clock.now(),
    );
    expect(
      await seedApprovers(reopened.runtime.store, listed, NO_COPILOTS, (kid) => told.push(kid)),
    ).toEqual([]);
    expect(told).toEqual([first.keys.fred.kid]);
  });
});
