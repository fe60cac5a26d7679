import {
  type HandoffPlan,
  type OutcomeReport,
  WIRE_PROCEDURES,
  type WireInput,
  type WireOutput,
  type WireProcedurePath,
} from '@handoff/protocol';
import { createTRPCUntypedClient, httpLink } from '@trpc/client';
import { type Clock, systemClock } from '../build/time.js';
import { HandoffClientError, toClientError } from './client-error.js';
import {
  createRetryingFetch,
  type FetchLike,
  type RetryPolicy,
  realSleep,
  type Sleep,
} from './retrying-fetch.js';
import { type PlanSubmission, submitInRequests } from './submit-batch.js';

type SubmitInput = WireInput<'plans.submit'>;

/** What `plans.submit` answers: the plan view (state, decisions, gates, budget held) and whether this call created it. */
export type SubmitResult = WireOutput<'plans.submit'>;
/** What `plans.dryRun` answers: `{ planId, digest, evaluation }` (the policy evaluation; nothing is written). */
export type DryRunResult = WireOutput<'plans.dryRun'>;
/**
 * A plan as the gateway shows it (`PlanView`): state, reason, gates and approvals (each with its `maxSpend` and, when
 * given, its `reason`: a rejection's is what the copilot revises from), budget, and the plan `document`; times RFC
 * 3339 UTC.
 */
export type PlanStatus = WireOutput<'plans.get'>;
/** What `health` answers. */
export type HealthResult = WireOutput<'health'>;
/** What `reportOutcome` answers: the recorded outcome report and where its value lies against the forecast. */
export type OutcomeRecorded = WireOutput<'outcomes.report'>;
/** What `plans.list` answers: a page of plan views, newest first, and `nextCursor` unless it is the last. */
export type PlanPage = WireOutput<'plans.list'>;
/** The filters of `plans.list`: `states`, `workflowId`, `cursor` (a previous page's `nextCursor`), `limit` (1-500). */
export type PlanListQuery = WireInput<'plans.list'>;
/** What `budget.getCaps` answers: the tenant's caps, each with its current period's `usage` (limit, reserved, committed, headroom). */
export type CapsResult = WireOutput<'budget.getCaps'>;
/** What `policy.get` answers: the active policy set's id, version and rules (with settings), and its shadow or null. */
export type PolicyResult = WireOutput<'policy.get'>;

/** True when the wire API's `plans.submit` input has a `signature` member (it does since provenance landed). */
export type GatewayAcceptsSignature = 'signature' extends keyof SubmitInput ? true : false;

/** Options of every call. */
export interface CallOptions {
  /** Aborts the call (and its retries); the call rejects with `ABORTED`. */
  signal?: AbortSignal;
}

/**
 * Options of {@link HandoffClient.submit}. `signature` is the plan's provenance JWS (`signPlan`), verified by a
 * gateway configured with the copilot's keys (refused with `PROVENANCE_*` issue codes when it does not verify).
 */
export type SubmitOptions = CallOptions &
  (GatewayAcceptsSignature extends true ? { signature?: string } : { signature?: never });

/** Options of {@link HandoffClient.waitForDecision}. */
export interface WaitOptions extends CallOptions {
  /** Longest wait, in ms of the client's clock, measured from the call. Required. */
  timeoutMs: number;
  /** Pause between two status reads, in ms. Default 2000. */
  pollIntervalMs?: number;
}

/** Options of the {@link HandoffClient} constructor. */
export interface HandoffClientOptions {
  /** Base URL of the gateway's tRPC endpoint, e.g. `https://handoff.example.com/trpc` or `http://127.0.0.1:4000`. */
  url: string;
  /**
   * The copilot's credential, sent as `Authorization: Bearer <credential>`: an API key or a JWT, or a function
   * returning one (called before each request, so short-lived JWTs can be refreshed).
   */
  credential: string | (() => string | Promise<string>);
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Source of "now" for `waitForDecision` deadlines. Default: the system clock. */
  clock?: Clock;
  /** How to wait between retries and polls. Default: `setTimeout`. Tests pass one that moves a fake clock. */
  sleep?: Sleep;
  /** Retries of transient failures (see `createRetryingFetch`); `false` for none. Default 3 attempts, 200 ms base. */
  retry?: RetryPolicy | false;
  /** Uniform in [0, 1), for retry jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * More request headers, or a function returning them (called before each request), e.g. the
   * `x-handoff-submitted-via` label an MCP server sends (`SUBMITTED_VIA_HEADER` of `@handoff/protocol`).
   * `authorization` is always the credential's and cannot be set here.
   */
  headers?: Record<string, string> | (() => Record<string, string>);
}

/** The part of a request tRPC's `httpLink` sets (a JSON string body, plain headers), as a standard `RequestInit`. */
function requestInitOf(
  init:
    | { method?: string; headers?: unknown; body?: unknown; signal?: AbortSignal | null }
    | undefined,
): RequestInit {
  const headers: Record<string, string> = {};
  const source = init?.headers;
  const pairs: unknown[] =
    source instanceof Headers ? [...source.entries()] : Array.isArray(source) ? source : [];
  for (const pair of pairs) {
    if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') {
      headers[pair[0]] = pair[1];
    }
  }
  if (
    !Array.isArray(source) &&
    !(source instanceof Headers) &&
    typeof source === 'object' &&
    source
  ) {
    for (const [name, value] of Object.entries(source)) {
      if (typeof value === 'string') headers[name] = value;
    }
  }
  return {
    method: init?.method ?? 'GET',
    headers,
    ...(typeof init?.body === 'string' ? { body: init.body } : {}),
    ...(init?.signal ? { signal: init.signal } : {}),
  };
}

/** States in which a plan still waits for a decision. */
const PENDING: ReadonlySet<string> = new Set(['received', 'awaiting_approval']);

/** True while the plan is undecided: `received`, `awaiting_approval`, or `paused` from one of them. */
export function isAwaitingDecision(view: Pick<PlanStatus, 'state' | 'pausedFrom'>): boolean {
  return (
    PENDING.has(view.state) ||
    (view.state === 'paused' && view.pausedFrom !== null && PENDING.has(view.pausedFrom))
  );
}

/**
 * A typed client of the Handoff gateway for copilots, over its tRPC HTTP API: tRPC's untyped client with `httpLink`
 * (one HTTP request per call, `POST` for mutations, `GET` for queries; see HTTP.md for the wire form), each method
 * typed from the wire API of `@handoff/protocol` (`WireInput` / `WireOutput` of its `WIRE_PROCEDURES`), so the
 * client needs nothing of the gateway's code.
 *
 * Every method rejects with a {@link HandoffClientError} carrying the gateway's `code` (`ERROR_CODES`),
 * `httpStatus` and `issues`. Transient failures (no answer, 429, 502, 503, 504) are retried with backoff; nothing
 * else is.
 */
export class HandoffClient {
  readonly #api: ReturnType<typeof createTRPCUntypedClient>;
  readonly #clock: Clock;
  readonly #sleep: Sleep;

  /** @throws RangeError for an invalid retry policy; TypeError when `url` is not an absolute http(s) URL. */
  constructor(options: HandoffClientOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError('The gateway URL must be http: or https:');
    }
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? realSleep;
    const base: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    const transport =
      options.retry === false
        ? createRetryingFetch({ fetch: base, retry: { attempts: 1 }, sleep: this.#sleep })
        : createRetryingFetch({
            fetch: base,
            retry: options.retry ?? {},
            sleep: this.#sleep,
            ...(options.random ? { random: options.random } : {}),
          });
    const { credential } = options;
    const extra = options.headers ?? {};
    this.#api = createTRPCUntypedClient({
      links: [
        httpLink({
          url: options.url.replace(/\/+$/, ''),
          fetch: (input, init) => transport(String(input), requestInitOf(init)),
          headers: async () => ({
            ...(typeof extra === 'function' ? extra() : extra),
            authorization: `Bearer ${typeof credential === 'function' ? await credential() : credential}`,
          }),
        }),
      ],
    });
  }

  /**
   * Calls procedure `path` as its kind asks (`query` or `mutation`). The answer is typed by the wire API and not
   * validated here: a newer gateway may add members (see `WIRE_PROCEDURES`).
   */
  async #call<P extends WireProcedurePath>(
    path: P,
    input: WireInput<P>,
    signal: AbortSignal | undefined,
  ): Promise<WireOutput<P>> {
    const options = { signal };
    try {
      const answer =
        WIRE_PROCEDURES[path].kind === 'query'
          ? await this.#api.query(path, input, options)
          : await this.#api.mutation(path, input, options);
      return answer as WireOutput<P>;
    } catch (error) {
      throw toClientError(error, signal);
    }
  }

  /**
   * Submits a plan (`plans.submit`, role copilot). Idempotent on `planId`: the same plan again answers the existing
   * record with `created: false`; another plan under the same id is refused with `PLAN_CONFLICT` (409).
   *
   * @returns the plan's status (`state` is `awaiting_approval`, `approved`, `rejected` or `paused`) and `created`.
   * @throws HandoffClientError e.g. `VALIDATION_FAILED` (400, issues with JSON Pointers; validate locally with
   *   `validatePlan` for hints), `UNSUPPORTED_VERSION` (400), `UNAUTHENTICATED` (401), `FORBIDDEN` (403, another
   *   tenant's plan), `PLAN_CONFLICT` (409).
   */
  submit(plan: HandoffPlan, options: SubmitOptions = {}): Promise<SubmitResult> {
    const input: SubmitInput = { plan };
    if (options.signature !== undefined) Object.assign(input, { signature: options.signature });
    return this.#call('plans.submit', input, options.signal);
  }

  /**
   * Submits many plans (`plans.submitBatch`, role copilot), at most `MAX_PLANS_PER_REQUEST` a request; see
   * `submitInRequests`. @returns one `PlanSubmissionResult` per plan, in order (a refusal is that plan's).
   * @throws HandoffClientError for a whole request: `UNAUTHENTICATED` (401), `FORBIDDEN` (403, not a copilot),
   *   `PAYLOAD_TOO_LARGE` (413, over the gateway's body limit), transport failures after retries.
   */
  submitPlans(items: readonly PlanSubmission[], options: CallOptions = {}) {
    const { signal } = options;
    return submitInRequests(items, (plans) => this.#call('plans.submitBatch', { plans }, signal));
  }

  /**
   * Evaluates a plan against the gateway's active policy set without recording anything (`plans.dryRun`, the
   * body of `plans.submit`). With `signature`, the gateway verifies it as submission would, so a bad signature
   * shows before submitting; without one it is not asked for. No budget is checked.
   * @returns `{ planId, digest, evaluation }`. @throws HandoffClientError as {@link HandoffClient.submit}.
   */
  dryRun(plan: HandoffPlan, options: SubmitOptions = {}): Promise<DryRunResult> {
    const input: SubmitInput = { plan };
    if (options.signature !== undefined) Object.assign(input, { signature: options.signature });
    return this.#call('plans.dryRun', input, options.signal);
  }

  /**
   * The plan's current status (`plans.get`). A copilot sees only the plans it submitted.
   * @throws HandoffClientError `NOT_FOUND` (404) for an unknown plan or one of another caller.
   */
  status(planId: string, options: CallOptions = {}): Promise<PlanStatus> {
    return this.#call('plans.get', { planId }, options.signal);
  }

  /**
   * Cancels a plan that has not started dispatching (`plans.cancel`), releasing its budget. Idempotent: when the
   * gateway refuses with `ILLEGAL_TRANSITION` because the plan is already `cancelled` (e.g. a retried request
   * whose first answer was lost), the current status is returned.
   *
   * @param reason - why, 1-1000 characters, recorded in the lineage.
   * @throws HandoffClientError `NOT_FOUND` (404), `ILLEGAL_TRANSITION` (409: dispatching or finished otherwise).
   */
  async cancel(planId: string, reason: string, options: CallOptions = {}): Promise<PlanStatus> {
    try {
      return await this.#call('plans.cancel', { planId, reason }, options.signal);
    } catch (error) {
      if (!(error instanceof HandoffClientError) || error.code !== 'ILLEGAL_TRANSITION')
        throw error;
      const current = await this.status(planId, options);
      if (current.state === 'cancelled') return current;
      throw error;
    }
  }

  /**
   * Reports the observed outcome of a dispatched plan (`outcomes.report`, role `reporter` or `operator`: an
   * analytics job's key, not a copilot's): an `OutcomeReport` of the KPI the plan's option forecast. The same report
   * again answers the first recording with `created: false`.
   *
   * @returns the recorded report's digest, the forecast it meets and where the value lies (`below`, `inside`,
   *   `above` the p10-p90 interval).
   * @throws HandoffClientError `VALIDATION_FAILED` (400), `FORBIDDEN` (403: not a reporter or operator, or
   *   another tenant), `NOT_FOUND` (404), `OUTCOME_NOT_DISPATCHED` (409), `OUTCOME_KPI_MISMATCH` (422: KPI, unit or
   *   currency differ from the forecast), `OUTCOME_HORIZON_NOT_OVER` (409: send it with `interim: true`),
   *   `OUTCOME_REPORT_CONFLICT` (409: another report under the same `reportId`).
   */
  reportOutcome(report: OutcomeReport, options: CallOptions = {}): Promise<OutcomeRecorded> {
    return this.#call('outcomes.report', { report }, options.signal);
  }

  /**
   * Plans of the caller's tenant, newest first (`plans.list`); a copilot sees only the plans it submitted.
   * @throws HandoffClientError `VALIDATION_FAILED` (a bad filter or cursor), `UNAUTHENTICATED`, `FORBIDDEN`.
   */
  listPlans(query: PlanListQuery = {}, options: CallOptions = {}): Promise<PlanPage> {
    return this.#call('plans.list', query, options.signal);
  }

  /**
   * The tenant's budget caps with each one's current period (`budget.getCaps`: roles copilot, operator, auditor):
   * `usage.headroom` is what a new plan may still ask of that cap now, integer minor units of its currency.
   * @throws HandoffClientError `UNAUTHENTICATED`, `FORBIDDEN` (a role without access).
   */
  caps(options: CallOptions = {}): Promise<CapsResult> {
    return this.#call('budget.getCaps', undefined, options.signal);
  }

  /**
   * The gateway's active policy set (`policy.get`: roles copilot, approver, operator, auditor): `policySetId`,
   * `policyVersion` (the version decisions record), its `rules` in evaluation order (`id`, `type`, `enforcement`,
   * `description`, `appliesTo`, and the type's own `settings`, money in integer minor units), and `shadow` (id and
   * version of the shadow set, or `null`). Policy is per gateway: every tenant reads the same answer.
   * @throws HandoffClientError `UNAUTHENTICATED`, `FORBIDDEN` (a role without access).
   */
  policy(options: CallOptions = {}): Promise<PolicyResult> {
    return this.#call('policy.get', undefined, options.signal);
  }

  /** The gateway's health (`health`, no credential needed). */
  health(options: CallOptions = {}): Promise<HealthResult> {
    return this.#call('health', undefined, options.signal);
  }

  /**
   * Polls the plan's status until it leaves `received` / `awaiting_approval` (a `paused` plan paused from one of
   * them still counts as waiting), then returns that status: `approved`, `rejected`, `cancelled`, `expired`, or a
   * dispatch state. Deadlines use the client's clock and pauses its sleep, so tests need not wait.
   *
   * @throws HandoffClientError `TIMEOUT` (with `details: { planId, lastState }`) when `timeoutMs` passes first;
   *   `ABORTED` when `signal` fires; any error of {@link HandoffClient.status} (after its retries).
   * @throws RangeError when `timeoutMs` or `pollIntervalMs` is negative or not finite.
   */
  async waitForDecision(planId: string, options: WaitOptions): Promise<PlanStatus> {
    const { timeoutMs, signal } = options;
    const pollIntervalMs = options.pollIntervalMs ?? 2000;
    if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0))
      throw new RangeError('timeoutMs must be >= 0');
    if (!(Number.isFinite(pollIntervalMs) && pollIntervalMs >= 0)) {
      throw new RangeError('pollIntervalMs must be >= 0');
    }
    const deadline = this.#clock.now() + timeoutMs;
    const aborted = (cause?: unknown) =>
      new HandoffClientError('ABORTED', `Stopped waiting for plan ${planId}`, {
        details: { planId },
        cause,
      });
    for (;;) {
      if (signal?.aborted) throw aborted(signal.reason);
      const view = await this.status(planId, { ...(signal ? { signal } : {}) });
      if (!isAwaitingDecision(view)) return view;
      const remaining = deadline - this.#clock.now();
      if (remaining <= 0) {
        throw new HandoffClientError(
          'TIMEOUT',
          `Plan ${planId} is still ${view.state} after ${timeoutMs} ms`,
          {
            details: { planId, lastState: view.state },
          },
        );
      }
      try {
        await this.#sleep(Math.min(pollIntervalMs, remaining), signal);
      } catch (error) {
        throw aborted(error);
      }
    }
  }
}
