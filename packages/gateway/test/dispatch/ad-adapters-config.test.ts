import { describe, expect, test } from 'vitest';
import { AdapterConfigSchema, adaptersFromConfig } from '../../src/dispatch/adapters-config.js';
import { isGatewayError } from '../../src/errors.js';

const ENV = { GADS_DEV: 'dev-token', GADS_TOKEN: 'ya29.token', META_TOKEN: 'EAAB-token' };

describe('ad platform adapters from configuration', () => {
  test('google_ads and meta build adapters with a preflight and reverse, also under another id', () => {
    const adapters = adaptersFromConfig(
      [
        {
          type: 'google_ads',
          customerId: '123-456-7890',
          loginCustomerId: '999-888-7776',
          developerTokenEnv: 'GADS_DEV',
          accessTokenEnv: 'GADS_TOKEN',
        },
        { type: 'meta', id: 'meta-eu', adAccountId: 'act_5550001', accessTokenEnv: 'META_TOKEN' },
      ],
      ENV,
    );
    expect(adapters.map((a) => a.manifest.id)).toEqual(['google_ads', 'meta-eu']);
    for (const adapter of adapters) {
      expect(adapter.manifest.supportsPreflight).toBe(true);
      expect(typeof adapter.preflight).toBe('function');
      expect(typeof adapter.reverse).toBe('function');
      expect(adapter.manifest.actionTypes).toContain('pause_campaign');
    }
    const pause = {
      type: 'pause_campaign' as const,
      actionId: 'pause',
      adapter: 'meta-eu',
      estimatedCost: { amountMinor: 0, currency: 'EUR' as const },
      params: { campaignId: '100' },
    };
    expect(adapters[1]?.validate(pause)).toEqual({ ok: true });
  });

  test('an unset token is CONFIG_INVALID at its path; a malformed customer id is refused by the schema', () => {
    let caught: unknown;
    try {
      adaptersFromConfig(
        [{ type: 'meta', adAccountId: '5550001', accessTokenEnv: 'META_TOKEN' }],
        {},
      );
    } catch (error) {
      caught = error;
    }
    expect(isGatewayError(caught) && caught.issues).toEqual([
      {
        path: '/adapters/0/accessTokenEnv',
        code: 'ENV_MISSING',
        message: "Set META_TOKEN to the adapter's secret",
      },
    ]);
    const parsed = AdapterConfigSchema.safeParse({
      type: 'google_ads',
      customerId: '12345',
      developerTokenEnv: 'GADS_DEV',
      accessTokenEnv: 'GADS_TOKEN',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['customerId']);
  });
});
