import { HttpResponse, http } from 'msw';
import {
  type FakeCall,
  type FakePlatform,
  type Fault,
  FaultQueue,
  holdUntilClientAborts,
  recordCall,
} from '../testing/fake-platform.js';
import { META_API_VERSION } from './meta-api.js';

/** A campaign or ad set of the fake account; budgets in offset units (cents of USD, yen of JPY). */
export interface FakeMetaObject {
  id: string;
  kind: 'campaign' | 'ad_set';
  status: 'ACTIVE' | 'PAUSED' | 'DELETED' | 'ARCHIVED';
  daily_budget?: number;
  lifetime_budget?: number;
}

/** Options of {@link createMetaFake}. */
export interface MetaFakeOptions {
  /** The token the fake accepts as `Authorization: Bearer`; anything else gets error 190. */
  accessToken: string;
  /** The ad account, digits only. */
  adAccountId: string;
  /** The account currency (default `USD`). */
  currency?: string;
  /** `min_daily_budget_imp` of the account's `minimum_budgets`, in offset units (default 100: USD 1.00). */
  minimumDailyBudget?: number;
  objects: readonly FakeMetaObject[];
  /** Default `https://graph.facebook.com`. */
  baseUrl?: string;
  now?: () => number;
  maxHoldMs?: number;
}

/** A {@link FakePlatform} of the Meta Marketing API with read access to the fake account. */
export interface MetaFake extends FakePlatform {
  object(id: string): Readonly<FakeMetaObject> | undefined;
  /** Changes an object behind the adapter's back (someone editing it in Ads Manager). */
  edit(id: string, change: Partial<Omit<FakeMetaObject, 'id' | 'kind'>>): void;
}

type Answer = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  applied?: boolean;
};

/**
 * A local fake of the Graph API endpoints the Meta adapter uses, true to Meta's documented contract (`META_DOCS`):
 * `GET /v24.0/act_{id}?fields=currency`, `GET /v24.0/act_{id}/minimum_budgets`, `GET /v24.0/{id}?fields=...`
 * (budgets as strings in offset units) and `POST /v24.0/{id}` with form fields (`daily_budget`, `lifetime_budget`,
 * `status`), answering `{ "success": true }`; errors in Meta's body `{ error: { message, type, code,
 * error_subcode, fbtrace_id } }`: 190 for a bad token, 100/33 for an unknown object, 100 for an invalid
 * parameter (a budget of the wrong kind, a non-integer amount, below the account's minimum daily budget); every
 * answer carries `X-Business-Use-Case-Usage` and `X-App-Usage`. Injected faults hit the updates (reads pass):
 * throttling as error 80004 with `X-Ad-Account-Usage` `reset_time_duration`, error 2 (transient) as a 500,
 * timeouts held until the client aborts, resets; with `applied`, the update is applied first.
 */
export function createMetaFake(options: MetaFakeOptions): MetaFake {
  const baseUrl = (options.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const currency = options.currency ?? 'USD';
  const minimum = options.minimumDailyBudget ?? 100;
  const faults = new FaultQueue();
  const received: FakeCall[] = [];
  const applied: FakeCall[] = [];
  let objects = new Map<string, FakeMetaObject>();
  let trace = 0;
  const reset = () => {
    objects = new Map(options.objects.map((o) => [o.id, structuredClone(o)]));
  };
  reset();

  const usage = (regainMinutes = 0) => ({
    'x-business-use-case-usage': JSON.stringify({
      [options.adAccountId]: [
        {
          type: 'ads_management',
          call_count: regainMinutes > 0 ? 100 : 1,
          total_cputime: 1,
          total_time: 1,
          estimated_time_to_regain_access: regainMinutes,
        },
      ],
    }),
    'x-app-usage': JSON.stringify({ call_count: 1, total_cputime: 1, total_time: 1 }),
  });
  const error = (
    status: number,
    code: number,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Answer => ({
    status,
    body: {
      error: { message, type: 'OAuthException', code, ...extra, fbtrace_id: `fake-trace-${trace}` },
    },
    headers,
  });
  const invalid = (message: string) => error(400, 100, `(#100) ${message}`);

  function read(path: string, search: URLSearchParams): Answer {
    const account = /^act_(\d+)(\/minimum_budgets)?$/.exec(path);
    if (account) {
      if (account[1] !== options.adAccountId)
        return error(400, 100, 'Unsupported get request.', { error_subcode: 33 });
      if (account[2]) {
        const row = {
          currency,
          min_daily_budget_imp: minimum,
          min_daily_budget_video_views: minimum,
          min_daily_budget_high_freq: minimum * 5,
          min_daily_budget_low_freq: minimum * 40,
        };
        return { status: 200, body: { data: [row] } };
      }
      return { status: 200, body: { id: `act_${options.adAccountId}`, currency } };
    }
    const object = objects.get(path);
    if (!object)
      return error(
        400,
        100,
        `Unsupported get request. Object with ID '${path}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        { error_subcode: 33 },
      );
    const fields = (search.get('fields') ?? 'id').split(',');
    const all: Record<string, string> = {
      id: object.id,
      status: object.status,
      ...(object.daily_budget === undefined ? {} : { daily_budget: String(object.daily_budget) }),
      ...(object.lifetime_budget === undefined
        ? {}
        : { lifetime_budget: String(object.lifetime_budget) }),
    };
    return {
      status: 200,
      body: Object.fromEntries(Object.entries(all).filter(([k]) => fields.includes(k))),
    };
  }

  function update(path: string, form: URLSearchParams): Answer {
    const object = objects.get(path);
    if (!object)
      return error(400, 100, `Unsupported post request. Object with ID '${path}' does not exist.`, {
        error_subcode: 33,
      });
    const status = form.get('status');
    if (status !== null) {
      if (!['ACTIVE', 'PAUSED', 'DELETED', 'ARCHIVED'].includes(status))
        return invalid('Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}');
      if (object.status === 'DELETED') return invalid('A deleted object cannot be edited');
      object.status = status as FakeMetaObject['status'];
    }
    for (const field of ['daily_budget', 'lifetime_budget'] as const) {
      const value = form.get(field);
      if (value === null) continue;
      if (!/^\d+$/.test(value)) return invalid(`Param ${field} must be an integer`);
      if (object[field] === undefined)
        return invalid(`The object has no ${field}; change the budget it has`);
      if (field === 'daily_budget' && Number(value) < minimum)
        return invalid(
          `The daily budget must be at least ${minimum} in the account currency's offset`,
        );
      object[field] = Number(value);
    }
    return { status: 200, body: { success: true }, applied: true };
  }

  function faulted(fault: Fault): Answer {
    if (fault.kind === 'rate_limit') {
      const seconds = fault.retryAfterSeconds ?? 60;
      const headers = {
        ...usage(Math.floor(seconds / 60)),
        'x-ad-account-usage': JSON.stringify({
          acc_id_util_pct: 100,
          reset_time_duration: seconds,
          ads_api_access_tier: 'development_access',
        }),
      };
      return error(
        400,
        80004,
        'There have been too many calls to this ad-account. Wait a bit and try again.',
        { error_subcode: 2446079 },
        headers,
      );
    }
    const status = fault.kind === 'server_error' ? (fault.status ?? 500) : 500;
    return error(status, 2, 'An unexpected error has occurred. Please retry your request later.', {
      is_transient: true,
    });
  }

  const escaped = `${baseUrl}/${META_API_VERSION}/`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}([A-Za-z0-9_/]+)$`);
  const respond = (a: Answer) =>
    HttpResponse.json(a.body as Record<string, unknown>, {
      status: a.status,
      headers: { ...usage(), 'x-fb-trace-id': `fake-trace-${trace}`, ...a.headers },
    });

  async function handle(request: Request, write: boolean): Promise<Response> {
    const url = new URL(request.url);
    const path = pattern.exec(`${url.origin}${url.pathname}`)?.[1] ?? '';
    const call = await recordCall(request, now());
    received.push(call);
    trace += 1;
    const fault = write ? faults.next() : undefined;
    if (fault && (fault.kind === 'rate_limit' || fault.kind === 'server_error'))
      return respond(faulted(fault));
    if (fault && !fault.applied) return lose(fault, request);
    if (request.headers.get('authorization') !== `Bearer ${options.accessToken}`)
      return respond(error(400, 190, 'Invalid OAuth access token - Cannot parse access token'));
    const answer = write
      ? update(path, new URLSearchParams(String(call.body ?? '')))
      : read(path, url.searchParams);
    if (answer.applied) applied.push(call);
    return fault ? lose(fault, request) : respond(answer);
  }

  async function lose(fault: Fault, request: Request): Promise<Response> {
    if (fault.kind === 'timeout')
      return holdUntilClientAborts(request, options.maxHoldMs ?? 30_000);
    return HttpResponse.error();
  }

  return {
    id: 'meta',
    baseUrl,
    handlers: [
      http.get(pattern, ({ request }) => handle(request, false)),
      http.post(pattern, ({ request }) => handle(request, true)),
    ],
    received,
    applied,
    object: (id) => objects.get(id),
    edit(id, change) {
      const object = objects.get(id);
      if (!object) throw new Error(`No object ${id}`);
      Object.assign(object, change);
    },
    inject: (fault, count) => faults.push(fault, count),
    reset() {
      received.length = 0;
      applied.length = 0;
      faults.clear();
      trace = 0;
      reset();
    },
  };
}
