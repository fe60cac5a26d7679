import { HttpResponse, http } from 'msw';
import {
  type FakeCall,
  type FakePlatform,
  type Fault,
  FaultQueue,
  holdUntilClientAborts,
  recordCall,
} from '../testing/fake-platform.js';
import { GOOGLE_ADS_API_VERSION } from './google-ads-api.js';
import { googleErrorBody } from './google-ads-fake-errors.js';
import {
  type FakeGoogleCampaign,
  GoogleAdsFakeState,
  type GoogleAnswer,
} from './google-ads-fake-state.js';

export type { FakeGoogleCampaign } from './google-ads-fake-state.js';

/** Options of {@link createGoogleAdsFake}. */
export interface GoogleAdsFakeOptions {
  /** The OAuth access token the fake accepts as `Authorization: Bearer`; anything else gets 401. */
  accessToken: string;
  /** The developer token the fake expects in `developer-token`; anything else gets 401. */
  developerToken: string;
  /** The account, digits only. */
  customerId: string;
  /** When set, requests must carry this `login-customer-id` (403 otherwise). */
  loginCustomerId?: string;
  /** The account currency (default `USD`). */
  currency?: string;
  campaigns: readonly FakeGoogleCampaign[];
  /** Default 10,000 (one cent of USD or EUR). */
  billableUnitMicros?: number;
  /** The per-day minimum a daily budget must reach, in micros (default 1,000,000: one unit). */
  minimumDailyMicros?: number;
  /** The largest budget accepted, in micros (default 10^13). */
  maximumMicros?: number;
  /** Default `https://googleads.googleapis.com`. */
  baseUrl?: string;
  now?: () => number;
  /** Longest a `timeout` fault holds a request whose client never aborts (default 30,000 ms). */
  maxHoldMs?: number;
}

/** A {@link FakePlatform} of Google Ads with read access to the fake account. */
export interface GoogleAdsFake extends FakePlatform {
  /** The campaign with this id as the account holds it now. */
  campaign(campaignId: string): Readonly<FakeGoogleCampaign> | undefined;
  /** Sets a budget behind the adapter's back (someone editing it in the Google Ads UI), in micros. */
  setBudgetMicros(campaignId: string, micros: number): void;
}

/**
 * A local fake of the Google Ads API REST endpoints the Google Ads adapter uses, true to the documented contract
 * (see `GOOGLE_ADS_DOCS`):
 * - `POST /v26/customers/{id}/googleAds:search` (the adapter's two GAQL queries), `campaignBudgets:mutate`,
 *   `campaigns:mutate` and `adGroups:mutate` with `operations[].update` + `updateMask`, `partialFailure` (failed
 *   operations reported in `partialFailureError`, the others applied) and `validateOnly` (nothing applied, only
 *   errors returned);
 * - budgets in micros: multiples of the billable unit (`NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT`), the per-day
 *   minimum (`BUDGET_BELOW_PER_DAY_MINIMUM` with BudgetPerDayMinimumErrorDetails), `MONEY_AMOUNT_TOO_LARGE`;
 * - auth: `Authorization: Bearer` (401 UNAUTHENTICATED, `authenticationError.OAUTH_TOKEN_INVALID`), the
 *   `developer-token` (401, `authenticationError.DEVELOPER_TOKEN_INVALID`) and `login-customer-id` when
 *   configured (403 PERMISSION_DENIED, `authorizationError.USER_PERMISSION_DENIED`), all as GoogleAdsFailure
 *   bodies with a `request-id` header;
 * - injected faults on the mutates (reads pass): 429 RESOURCE_EXHAUSTED with `quotaErrorDetails.retryDelay`,
 *   503 UNAVAILABLE, timeouts held until the client aborts, resets; with `applied`, the mutate is applied first.
 */
export function createGoogleAdsFake(options: GoogleAdsFakeOptions): GoogleAdsFake {
  const baseUrl = (options.baseUrl ?? 'https://googleads.googleapis.com').replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const faults = new FaultQueue();
  const received: FakeCall[] = [];
  const applied: FakeCall[] = [];
  let sequence = 0;
  const state = new GoogleAdsFakeState(options.campaigns, options.customerId, {
    billableUnitMicros: options.billableUnitMicros ?? 10_000,
    minimumDailyMicros: options.minimumDailyMicros ?? 1_000_000,
    maximumMicros: options.maximumMicros ?? 10_000_000_000_000,
    currency: options.currency ?? 'USD',
  });

  const respond = (
    answer: Omit<GoogleAnswer, 'applied'>,
    requestId: string,
    headers: Record<string, string> = {},
  ) =>
    HttpResponse.json(answer.body as Record<string, unknown>, {
      status: answer.status,
      headers: { 'request-id': requestId, ...headers },
    });

  function refusal(request: Request, requestId: string): Response | undefined {
    const fail = (status: number, grpc: string, code: Record<string, string>, message: string) =>
      respond(
        {
          status,
          body: googleErrorBody(status, grpc, message, [{ errorCode: code, message }], requestId),
        },
        requestId,
      );
    if (request.headers.get('authorization') !== `Bearer ${options.accessToken}`)
      return fail(
        401,
        'UNAUTHENTICATED',
        { authenticationError: 'OAUTH_TOKEN_INVALID' },
        'OAuth token in the header is not valid.',
      );
    if (request.headers.get('developer-token') !== options.developerToken)
      return fail(
        401,
        'UNAUTHENTICATED',
        { authenticationError: 'DEVELOPER_TOKEN_INVALID' },
        'The developer token is not valid.',
      );
    if (
      options.loginCustomerId &&
      request.headers.get('login-customer-id') !== options.loginCustomerId
    )
      return fail(
        403,
        'PERMISSION_DENIED',
        { authorizationError: 'USER_PERMISSION_DENIED' },
        "User doesn't have permission to access customer.",
      );
    return undefined;
  }

  function faulted(fault: Fault, requestId: string): Response {
    if (fault.kind === 'rate_limit') {
      const seconds = fault.retryAfterSeconds ?? 30;
      const error = {
        errorCode: { quotaError: 'RESOURCE_TEMPORARILY_EXHAUSTED' },
        message: `Too many requests. Retry in ${seconds} seconds.`,
        details: {
          quotaErrorDetails: {
            rateScope: 'ACCOUNT',
            rateName: 'Number of operations for basic access',
            retryDelay: `${seconds}s`,
          },
        },
      };
      return respond(
        {
          status: 429,
          body: googleErrorBody(
            429,
            'RESOURCE_EXHAUSTED',
            'Resource has been exhausted (e.g. check quota).',
            [error],
            requestId,
          ),
        },
        requestId,
      );
    }
    const status = fault.kind === 'server_error' ? (fault.status ?? 503) : 503;
    return respond(
      {
        status,
        body: {
          error: {
            code: status,
            message: 'The service is currently unavailable.',
            status: 'UNAVAILABLE',
          },
        },
      },
      requestId,
    );
  }

  const methods: Record<
    string,
    { logic: (body: unknown, requestId: string) => GoogleAnswer; mutating: boolean }
  > = {
    'googleAds:search': {
      logic: (body) => state.search(String((body as { query?: unknown })?.query ?? '')),
      mutating: false,
    },
    'campaignBudgets:mutate': {
      logic: (body, id) => state.mutateBudgets(body, id),
      mutating: true,
    },
    'campaigns:mutate': {
      logic: (body, id) => state.mutateStatuses('campaigns', body, id),
      mutating: true,
    },
    'adGroups:mutate': {
      logic: (body, id) => state.mutateStatuses('adGroups', body, id),
      mutating: true,
    },
  };
  const escaped = `${baseUrl}/${GOOGLE_ADS_API_VERSION}/customers/`.replace(
    /[.*+?^${}()|[\]\\/]/g,
    '\\$&',
  );
  const pattern = new RegExp(`^${escaped}(\\d+)/([A-Za-z]+:[a-z]+)$`);

  async function lose(fault: Fault, request: Request): Promise<Response> {
    if (fault.kind === 'timeout')
      return holdUntilClientAborts(request, options.maxHoldMs ?? 30_000);
    return HttpResponse.error();
  }

  const handlers = [
    http.post(pattern, async ({ request }) => {
      const [, customerId, name] =
        pattern.exec(new URL(request.url).href.split('?')[0] ?? '') ?? [];
      const method = methods[name ?? ''];
      if (!method) return undefined;
      const call = await recordCall(request, now());
      received.push(call);
      sequence += 1;
      const requestId = `fake-request-${sequence}`;
      const fault = method.mutating ? faults.next() : undefined;
      if (fault && (fault.kind === 'rate_limit' || fault.kind === 'server_error'))
        return faulted(fault, requestId);
      if (fault && !fault.applied) return lose(fault, request);
      const refused = refusal(request, requestId);
      if (refused) return refused;
      if (customerId !== options.customerId) {
        const message = "User doesn't have permission to access customer.";
        const error = { errorCode: { authorizationError: 'USER_PERMISSION_DENIED' }, message };
        return respond(
          {
            status: 403,
            body: googleErrorBody(403, 'PERMISSION_DENIED', message, [error], requestId),
          },
          requestId,
        );
      }
      const answer = method.logic(call.body, requestId);
      if (answer.applied) applied.push(call);
      return fault ? lose(fault, request) : respond(answer, requestId);
    }),
  ];

  return {
    id: 'google_ads',
    baseUrl,
    handlers,
    received,
    applied,
    campaign: (campaignId) => state.campaigns.get(campaignId),
    setBudgetMicros(campaignId, micros) {
      const campaign = state.campaigns.get(campaignId);
      if (!campaign) throw new Error(`No campaign ${campaignId}`);
      campaign.micros = micros;
    },
    inject: (fault, count) => faults.push(fault, count),
    reset() {
      received.length = 0;
      applied.length = 0;
      faults.clear();
      sequence = 0;
      state.reset();
    },
  };
}
