import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PolicySetSchema, policyVersion } from '../../src/policy/policy-set.js';
import { createHarness, fixturePolicy } from '../support/harness.js';
import { type HttpGateway, httpClient, rawCall, startHttpGateway } from './http-fixture.js';

/** `policy.get` over HTTP: the gateway's active policy set, the same for every tenant, never for strangers. */
describe('policy.get', () => {
  let gw: HttpGateway;
  beforeAll(async () => {
    gw = await startHttpGateway();
  });
  afterAll(() => gw?.close());

  test('answers the active set: id, version, every rule with its type and its own settings', async () => {
    const policy = fixturePolicy();
    const answer = await httpClient(gw.url, gw.callers.acme.copilot.apiKey).policy.get.query();
    expect(answer.policySetId).toBe(policy.id);
    expect(answer.policyVersion).toBe(policyVersion(policy));
    expect(answer.shadow).toBeNull();
    expect(answer.rules.map((r) => [r.id, r.type, r.enforcement])).toEqual(
      policy.rules.map((r) => [r.id, r.type, r.enforcement]),
    );
    const threshold = answer.rules.find((r) => r.id === 'spend-risk-approval');
    expect(threshold?.description).toMatch(/two people/);
    expect(threshold?.settings).toEqual({
      spendAtLeast: [
        { amountMinor: 50000, currency: 'EUR' },
        { amountMinor: 50000, currency: 'USD' },
        { amountMinor: 40000, currency: 'GBP' },
      ],
      riskAtLeast: 0.6,
      aiModes: ['human_only'],
      approval: { roles: ['marketing_lead', 'finance'], quorum: 2, distinctRoles: true },
    });
    const evidence = answer.rules.find((r) => r.id === 'evidence-for-assisted-content');
    expect(evidence?.overrideRoles).toEqual(['marketing_lead']);
    expect(evidence?.settings).not.toHaveProperty('overrideRoles');
    for (const rule of answer.rules) {
      for (const common of ['id', 'type', 'enforcement', 'description', 'appliesTo']) {
        expect(rule.settings, rule.id).not.toHaveProperty(common);
      }
    }
  });

  test("another tenant's copilot reads the same policy: policy is per gateway", async () => {
    const acme = await httpClient(gw.url, gw.callers.acme.copilot.apiKey).policy.get.query();
    const globex = await httpClient(gw.url, gw.callers.globex.copilot.apiKey).policy.get.query();
    expect(globex).toEqual(acme);
  });

  test('without a credential, or with a wrong one, it is refused', async () => {
    for (const credential of [undefined, 'hk_not-a-key']) {
      const answer = await rawCall(gw.url, 'policy.get', {
        type: 'query',
        ...(credential ? { credential } : {}),
      });
      expect(answer.status).toBe(401);
      expect(answer.envelope?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(answer.body)).not.toContain('spend-risk-approval');
    }
  });
});

describe('policy.get with a shadow policy set', () => {
  test("names the shadow set's id and version beside the active set", async () => {
    const shadow = {
      ...fixturePolicy(),
      id: 'candidate-stricter',
      rules: [{ id: 'strict-consent', type: 'consent', enforcement: 'hard_mandatory' }],
    };
    const h = await createHarness({ config: { shadowPolicy: { inline: shadow } } });
    try {
      const answer = h.gateway.getPolicy(h.callers.auditor.principal);
      expect(answer.policySetId).toBe(fixturePolicy().id);
      expect(answer.shadow).toEqual({
        policySetId: 'candidate-stricter',
        policyVersion: policyVersion(PolicySetSchema.parse(shadow)),
      });
    } finally {
      await h.close();
    }
  });
});
