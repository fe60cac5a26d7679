import { HttpResponse, http } from 'msw';
import { describe, expect, test } from 'vitest';
import { META_API_VERSION, metaErrorCode, metaRetryAfterMs } from '../../src/meta/meta-api.js';
import { adPlatformTest } from '../support/ad-platform-support.js';
import { ACCOUNT, metaAdapter, metaFake, metaMove, metaStatus } from './meta-fixtures.js';

const { ctx, serve, preflight } = adPlatformTest();

describe('Meta adapter', () => {
  test('a campaign budget move POSTs daily_budget in offset units as a form, token in the header', async () => {
    const fake = serve(metaFake());
    const receipt = await metaAdapter(fake.baseUrl).execute(metaMove('100', 5_000, 5_750), ctx());
    const post = fake.received.at(-1);
    expect(post).toMatchObject({
      method: 'POST',
      path: `/${META_API_VERSION}/100`,
      body: 'daily_budget=5750',
    });
    expect(post?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(fake.received.every((c) => !c.path.includes('access_token'))).toBe(true);
    expect(fake.object('100')?.daily_budget).toBe(5_750);
    expect(receipt.reversal).toEqual({
      kind: 'budget',
      previousBudget: { amountMinor: 5_000, currency: 'USD' },
      budgetType: 'daily',
    });
  });

  test("JPY and KRW budgets go out with offset 1; a TWD budget must be whole dollars (Meta's offset)", async () => {
    const jpy = serve(
      metaFake({
        currency: 'JPY',
        objects: [{ id: '100', kind: 'campaign', status: 'ACTIVE', daily_budget: 5_000 }],
      }),
    );
    await metaAdapter(jpy.baseUrl).execute(
      metaMove('100', 5_000, 6_000, { currency: 'JPY' }),
      ctx(),
    );
    expect(jpy.received.at(-1)?.body).toBe('daily_budget=6000');
    const twd = serve(
      metaFake({
        currency: 'TWD',
        minimumDailyBudget: 30,
        objects: [{ id: '100', kind: 'campaign', status: 'ACTIVE', daily_budget: 500 }],
      }),
    );
    const adapter = metaAdapter(twd.baseUrl);
    expect(
      await preflight(adapter, metaMove('100', 50_000, 55_050, { currency: 'TWD' })),
    ).toMatchObject({
      ok: false,
      issues: [{ code: 'BUDGET_GRANULARITY' }],
    });
    await adapter.execute(metaMove('100', 50_000, 55_000, { currency: 'TWD' }), ctx());
    expect(twd.received.at(-1)?.body).toBe('daily_budget=550');
  });

  test("preflight refuses a budget under the account's minimum_budgets with Meta's figure, and reads only", async () => {
    const fake = serve(metaFake());
    const result = await preflight(metaAdapter(fake.baseUrl), metaMove('100', 5_000, 8));
    expect(result).toMatchObject({
      ok: false,
      observed: { minimumDailyMinor: 100 },
      issues: [{ code: 'BELOW_PLATFORM_MINIMUM' }],
    });
    expect(result.ok === false && result.issues[0]?.message).toMatch(/minimum daily budget of 100/);
    expect(fake.received.map((c) => c.method)).toEqual(['GET', 'GET', 'GET']);
    expect(fake.received[2]?.path).toBe(`/${META_API_VERSION}/act_${ACCOUNT}/minimum_budgets`);
  });

  test('an ad set without its own budget, a stale budget, and a deleted campaign are refused before any update', async () => {
    const fake = serve(metaFake());
    const adapter = metaAdapter(fake.baseUrl);
    expect(
      await preflight(adapter, metaMove('200', 1_000, 1_100, { level: 'ad_set' })),
    ).toMatchObject({
      ok: false,
      issues: [{ code: 'BUDGET_TYPE_MISMATCH', path: '/params/level' }],
    });
    fake.edit('100', { daily_budget: 4_500 });
    await expect(adapter.execute(metaMove('100', 5_000, 5_750), ctx())).rejects.toMatchObject({
      code: 'CONFLICT',
      retryable: false,
    });
    fake.edit('300', { status: 'DELETED' });
    await expect(
      adapter.execute(metaStatus('resume_campaign', '300'), ctx()),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(fake.received.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  test('a pause sets status PAUSED; reverse sets the status read at dispatch back', async () => {
    const fake = serve(metaFake());
    const adapter = metaAdapter(fake.baseUrl);
    const pause = metaStatus('pause_campaign', '100');
    const receipt = await adapter.execute(pause, ctx());
    expect(fake.received.at(-1)?.body).toBe('status=PAUSED');
    expect(receipt.reversal).toEqual({
      kind: 'status',
      previousStatus: 'ACTIVE',
      level: 'campaign',
    });
    await adapter.reverse?.(pause, receipt.reversal ?? {}, ctx('k-2'));
    expect(fake.object('100')?.status).toBe('ACTIVE');
  });

  test('throttling: error 80004 waits what X-Ad-Account-Usage and X-Business-Use-Case-Usage say', async () => {
    const fake = serve(metaFake());
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 150 });
    const error = await metaAdapter(fake.baseUrl)
      .execute(metaMove('100', 5_000, 5_750), ctx())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 150_000,
      platform: { platformCode: '80004/2446079' },
    });
    const headers = new Headers({
      'x-business-use-case-usage': JSON.stringify({
        1: [{ type: 'ads_management', estimated_time_to_regain_access: 3 }],
      }),
    });
    expect(metaRetryAfterMs(headers)).toBe(180_000);
    expect(metaRetryAfterMs(new Headers({ 'x-app-usage': '{"call_count":100}' }))).toBeUndefined();
  });

  test('Graph error codes map to what the gateway does with them, whatever the HTTP status', async () => {
    expect(metaErrorCode({ code: 190 }, 400)).toBe('AUTH_FAILED');
    for (const code of [4, 17, 613, 80004])
      expect(metaErrorCode({ code }, 400)).toBe('RATE_LIMITED');
    expect(metaErrorCode({ code: 2, is_transient: true }, 500)).toBe('PLATFORM_UNAVAILABLE');
    expect(metaErrorCode({ code: 100, error_subcode: 33 }, 400)).toBe('NOT_FOUND');
    expect(metaErrorCode({ code: 100 }, 400)).toBe('INVALID_REQUEST');
    const fake = serve(
      metaFake(),
      http.get(`https://graph.facebook.com/${META_API_VERSION}/act_${ACCOUNT}`, () =>
        HttpResponse.json(
          {
            error: {
              message: 'Session has expired',
              type: 'OAuthException',
              code: 190,
              error_subcode: 463,
              fbtrace_id: 'T1',
            },
          },
          { status: 401 },
        ),
      ),
    );
    const error = await metaAdapter(fake.baseUrl)
      .execute(metaMove('100', 5_000, 5_750), ctx())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'AUTH_FAILED',
      retryable: false,
      platform: { platformCode: '190/463', requestId: 'T1' },
    });
  });

  test("the manifest states Meta's budget unit per currency: 100 minor units where Meta gives no cents", () => {
    const limits = metaAdapter('https://graph.facebook.com').manifest.budgetLimits;
    expect(limits?.granularityMinor.byCurrency).toMatchObject({ TWD: 100, HUF: 100 });
    expect(limits?.granularityMinor.byCurrency?.JPY).toBeUndefined();
    expect(limits?.granularityMinor.default).toBe(1);
  });
});
