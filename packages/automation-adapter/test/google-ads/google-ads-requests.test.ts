import { describe, expect, test } from 'vitest';
import { AdapterError } from '../../src/adapter-error.js';
import { serveFake } from '../../src/testing/serve-fake.js';
import { adPlatformTest } from '../support/ad-platform-support.js';
import {
  budgetMove,
  CUSTOMER,
  googleAdapter,
  googleFake,
  statusChange,
} from './google-ads-fixtures.js';

const { ctx, serve, preflight } = adPlatformTest();

describe('Google Ads adapter', () => {
  test('a daily move reads the budget, then mutates amount_micros with the documented headers', async () => {
    const fake = serve(googleFake({ loginCustomerId: '9998887776' }));
    const adapter = googleAdapter(fake.baseUrl);
    const withManager = (
      await import('../../src/google-ads/google-ads-adapter.js')
    ).createGoogleAdsAdapter({
      customerId: CUSTOMER,
      developerToken: 'fake-developer-token',
      accessToken: 'ya29.fake-access-token',
      loginCustomerId: '999-888-7776',
    });
    await expect(adapter.execute(budgetMove(5_000, 5_750), ctx())).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });
    const receipt = await withManager.execute(budgetMove(5_000, 5_750), ctx());
    expect(receipt.reversal).toEqual({
      kind: 'budget',
      previousBudget: { amountMinor: 5_000, currency: 'USD' },
      budgetType: 'daily',
    });
    expect(fake.campaign('111')?.micros).toBe(57_500_000);
    const mutate = fake.received.at(-1);
    expect(mutate?.path).toBe(`/v26/customers/${CUSTOMER}/campaignBudgets:mutate`);
    expect(mutate?.headers).toMatchObject({
      'developer-token': 'fake-developer-token',
      'login-customer-id': '9998887776',
      authorization: '[redacted]',
    });
    expect(mutate?.body).toEqual({
      operations: [
        {
          update: {
            resourceName: `customers/${CUSTOMER}/campaignBudgets/901`,
            amountMicros: '57500000',
          },
          updateMask: 'amount_micros',
        },
      ],
      partialFailure: true,
    });
  });

  test('preflight sends validateOnly, changes nothing, and reports the per-day minimum with the platform figure', async () => {
    const fake = serve(googleFake({ minimumDailyMicros: 2_000_000 }));
    const adapter = googleAdapter(fake.baseUrl);
    const ok = await preflight(adapter, budgetMove(5_000, 6_000));
    expect(ok).toMatchObject({
      ok: true,
      observed: { currentBudget: { amountMinor: 5_000, currency: 'USD' }, status: 'ENABLED' },
    });
    expect(fake.received.at(-1)?.body).toMatchObject({ validateOnly: true });
    const low = await preflight(adapter, budgetMove(5_000, 8));
    expect(low).toMatchObject({
      ok: false,
      issues: [{ code: 'BELOW_PLATFORM_MINIMUM', path: '/params/newBudget/amountMinor' }],
    });
    expect(low?.ok === false && low.issues[0]?.message).toMatch(/minimum 200 minor units of USD/);
    expect(fake.applied).toHaveLength(0);
    expect(fake.campaign('111')?.micros).toBe(50_000_000);
  });

  test('a budget changed behind the plan is a CONFLICT before anything is sent to mutate', async () => {
    const fake = serve(googleFake());
    fake.setBudgetMicros('111', 45_000_000);
    const adapter = googleAdapter(fake.baseUrl);
    const result = await preflight(adapter, budgetMove(5_000, 5_750));
    expect(result).toMatchObject({
      ok: false,
      observed: { currentBudget: { amountMinor: 4_500 } },
      issues: [{ code: 'CONFLICT' }],
    });
    const error = await adapter.execute(budgetMove(5_000, 5_750), ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFLICT', retryable: false });
    expect(fake.received.filter((c) => c.path.endsWith(':mutate'))).toHaveLength(0);
  });

  test('a billable unit the amount is no multiple of is refused at preflight (granularity)', async () => {
    const fake = serve(googleFake({ billableUnitMicros: 100_000 }));
    const adapter = googleAdapter(fake.baseUrl);
    const result = await preflight(adapter, budgetMove(5_000, 5_755));
    expect(result).toMatchObject({ ok: false, issues: [{ code: 'BUDGET_GRANULARITY' }] });
  });

  test('a partial failure answered 200 is a refused change, not a success', async () => {
    const fake = serve(googleFake({ maximumMicros: 60_000_000 }));
    const adapter = googleAdapter(fake.baseUrl);
    const error = await adapter.execute(budgetMove(5_000, 7_000), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({
      code: 'INVALID_REQUEST',
      platform: { platformCode: 'campaignBudgetError.MONEY_AMOUNT_TOO_LARGE' },
    });
    expect(fake.applied).toHaveLength(0);
  });

  test('a quota error waits the retryDelay Google Ads gives; a retry after a lost answer finds it applied', async () => {
    const fake = serve(googleFake());
    const adapter = googleAdapter(fake.baseUrl);
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 12 });
    const limited = await adapter.execute(budgetMove(5_000, 5_750), ctx()).catch((e: unknown) => e);
    expect(limited).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 12_000,
      platform: {
        platformCode: 'quotaError.RESOURCE_TEMPORARILY_EXHAUSTED',
        requestId: 'fake-request-2',
      },
    });
    fake.inject({ kind: 'reset', applied: true });
    await expect(adapter.execute(budgetMove(5_000, 5_750), ctx())).rejects.toMatchObject({
      code: 'IN_DOUBT',
    });
    const again = await preflight(adapter, budgetMove(5_000, 5_750));
    expect(again).toMatchObject({ ok: true, alreadyApplied: true });
  });

  test('reverse restores the budget read at dispatch, and refuses when it moved since', async () => {
    const fake = serve(googleFake());
    const adapter = googleAdapter(fake.baseUrl);
    const move = budgetMove(5_000, 5_750);
    const receipt = await adapter.execute(move, ctx());
    await adapter.reverse?.(move, receipt.reversal ?? {}, ctx('k-2'));
    expect(fake.campaign('111')?.micros).toBe(50_000_000);
    await adapter.execute(move, ctx('k-3'));
    fake.setBudgetMicros('111', 61_000_000);
    await expect(adapter.reverse?.(move, receipt.reversal ?? {}, ctx('k-4'))).rejects.toMatchObject(
      { code: 'CONFLICT' },
    );
    await expect(adapter.reverse?.(move, { kind: 'status' }, ctx('k-5'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_ACTION',
    });
  });

  test('a pause at ad set level sets the ad group status; reverse enables it again', async () => {
    const fake = serve(googleFake());
    const adapter = googleAdapter(fake.baseUrl);
    const pause = statusChange('pause_campaign', 'ad_set');
    const receipt = await adapter.execute(pause, ctx());
    expect(fake.received.at(-1)).toMatchObject({
      path: `/v26/customers/${CUSTOMER}/adGroups:mutate`,
      body: {
        operations: [
          {
            update: { resourceName: `customers/${CUSTOMER}/adGroups/7001`, status: 'PAUSED' },
            updateMask: 'status',
          },
        ],
      },
    });
    expect(fake.campaign('111')?.adGroups?.['7001']).toBe('PAUSED');
    expect(fake.campaign('111')?.status).toBe('ENABLED');
    await adapter.reverse?.(pause, receipt.reversal ?? {}, ctx('k-2'));
    expect(fake.campaign('111')?.adGroups?.['7001']).toBe('ENABLED');
  });

  test('the fake serves over HTTP on 127.0.0.1 (serveFake) as in process', async () => {
    const fake = googleFake();
    const served = await serveFake(fake.handlers, fake.baseUrl);
    try {
      const adapter = googleAdapter(served.url);
      const move = budgetMove(5_000, 5_500);
      expect(await preflight(adapter, move)).toMatchObject({ ok: true });
      await adapter.execute(move, { ...ctx(), fetch });
      expect(fake.campaign('111')?.micros).toBe(55_000_000);
    } finally {
      await served.close();
    }
  });
});
