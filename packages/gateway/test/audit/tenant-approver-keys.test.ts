import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import type { LineageSource } from '../../src/audit/lineage-source.js';
import { anchorsFromJwks, type VerifierTrust } from '../../src/audit/trust-anchors.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import type { Principal } from '../../src/auth/principal.js';
import { approveByBoth } from '../pipeline/helpers.js';
import {
  createHarness,
  defaultCaps,
  fixturePlan,
  type Harness,
  OTHER_TENANT,
  TENANT,
} from '../support/harness.js';

/**
 * Approver kids are per tenant, and so is the key history the offline verifier reads (`keys`, by purpose, tenant
 * and kid): when two tenants register one kid with different keys, each tenant's approvals verify with its own
 * key, and neither tenant's first approval can stand in for the other's key (a kid squatted in one tenant cannot
 * break another tenant's audit).
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const GLOBEX_APPROVER: Principal = {
  id: 'approver-9',
  tenantId: OTHER_TENANT,
  roles: ['approver'],
  via: 'api_key',
};

describe('lineage verify: approver keys per tenant', () => {
  test('two tenants using one kid with different keys each verify with their own key', async () => {
    const acmeCap = defaultCaps()[0] as Record<string, unknown>;
    h = await createHarness({
      caps: [
        ...defaultCaps(),
        { ...acmeCap, tenantId: OTHER_TENANT, scope: { type: 'tenant', value: OTHER_TENANT } },
      ],
    });
    const { finance, marketing } = h.keys;
    // globex registers acme's finance kid with its own key, and approves its own plan with it first.
    const squatter = await generateSigningKeyPair({ alg: 'EdDSA', kid: finance.kid });
    const helper = await generateSigningKeyPair({ alg: 'ES256' });
    const { otherOperator, otherCopilot } = h.callers;
    for (const [key, subject, roles] of [
      [squatter, 'gus.globex', ['finance']],
      [helper, 'gil.globex', ['marketing_lead']],
    ] as const) {
      const { kid, ...jwk } = key.publicJwk;
      await h.gateway.registerApprover(otherOperator.principal, {
        kid: String(kid),
        subject,
        roles: [...roles],
        jwk,
      });
    }
    const globexPlan = fixturePlan();
    globexPlan.tenantId = OTHER_TENANT;
    const globex = await h.gateway.submitPlan(otherCopilot.principal, globexPlan);
    await h.gateway.submitApproval(
      GLOBEX_APPROVER,
      await h.sign(globex, { key: squatter, sub: 'gus.globex', role: 'finance' }),
    );
    await h.gateway.submitApproval(
      GLOBEX_APPROVER,
      await h.sign(globex, { key: helper, sub: 'gil.globex', role: 'marketing_lead' }),
    );
    // acme approves with its own key under the same kid.
    const acme = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    expect((await approveByBoth(h, acme)).approvals).toHaveLength(2);
    await h.close();
    const path = join(h.dir, 'gateway.db');

    const verify = async (source: LineageSource, trust: VerifierTrust) => {
      try {
        return await verifyLineage(source, { trust });
      } finally {
        source.close();
      }
    };
    // Each tenant's registration, with the key it pins: acme's kid is acme's finance key, globex's the squatter.
    const anchors = {
      ...anchorsFromJwks({ keys: [] }, { keys: [marketing.publicJwk, helper.publicJwk] }),
      approverIdentities: new Map([
        [
          finance.kid,
          [
            {
              subject: 'fiona.finance',
              tenantId: TENANT,
              roles: ['finance'],
              jwk: finance.publicJwk,
            },
            {
              subject: 'gus.globex',
              tenantId: OTHER_TENANT,
              roles: ['finance'],
              jwk: squatter.publicJwk,
            },
          ],
        ],
      ]),
    };
    expect(await verify(await openDatabaseSource(path), 'unanchored')).toMatchObject({ ok: true });
    expect(await verify(await openDatabaseSource(path), anchors)).toMatchObject({ ok: true });
  });
});
