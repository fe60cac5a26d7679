import { describe, expect, test } from 'vitest';
import { adaptersFromConfig } from '../../src/dispatch/adapters-config.js';
import { isGatewayError } from '../../src/errors.js';

function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isGatewayError(error)) return { code: error.code, issues: error.issues };
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('adapters from configuration', () => {
  test('builds each adapter under its configured id, secrets read from the environment', () => {
    const adapters = adaptersFromConfig(
      [
        { type: 'hubspot', id: 'hubspot-eu', accessTokenEnv: 'HS_TOKEN' },
        { type: 'braze', restEndpoint: 'https://rest.fra-01.braze.eu', apiKeyEnv: 'BRAZE_KEY' },
      ],
      { HS_TOKEN: 'pat-test', BRAZE_KEY: 'braze-test' },
    );
    expect(adapters.map((a) => a.manifest.id)).toEqual(['hubspot-eu', 'braze']);
    expect(adapters[0]?.manifest.platform).toMatch(/HubSpot/);
    const enroll = {
      type: 'enroll_in_workflow' as const,
      actionId: 'enroll',
      adapter: 'hubspot-eu',
      estimatedCost: { amountMinor: 100, currency: 'EUR' as const },
      params: { workflowId: '12345678', contacts: [{ email: 'a@example.com' }] },
    };
    expect(adapters[0]?.validate(enroll)).toEqual({ ok: true });
  });

  test('an unset secret is CONFIG_INVALID at its config path; a malformed one names the adapter', () => {
    expect(
      refusal(() => adaptersFromConfig([{ type: 'hubspot', accessTokenEnv: 'HS_TOKEN' }], {})),
    ).toEqual({
      code: 'CONFIG_INVALID',
      issues: [
        {
          path: '/adapters/0/accessTokenEnv',
          code: 'ENV_MISSING',
          message: "Set HS_TOKEN to the adapter's secret",
        },
      ],
    });
    const bad = refusal(() =>
      adaptersFromConfig([{ type: 'webhook', signingSecretEnv: 'SECRET' }], { SECRET: 'nope' }),
    );
    expect(bad).toMatchObject({
      code: 'CONFIG_INVALID',
      issues: [{ path: '/adapters/0', code: 'ADAPTER_INVALID' }],
    });
  });
});
