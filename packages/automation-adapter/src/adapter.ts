import type { Action, ActionType, Money } from '@handoff/protocol';
import type { PlatformResults, ResultsContext } from './results.js';

/** A platform's documented request budget, e.g. HubSpot private apps: 190 requests per 10 s per account. */
export interface RateLimit {
  requests: number;
  perMs: number;
  /** What the limit counts: the whole account, or one endpoint (named in `endpoint`). */
  scope: 'account' | 'endpoint';
  endpoint?: string;
  /** Where the platform documents it. */
  source: string;
}

/**
 * What an adapter declares about itself and its platform. The conformance kit checks that it is honest (e.g. an
 * adapter that claims `dedupes: true` must send the idempotency key, and a retried action must not be applied
 * twice at the fake).
 */
export interface AdapterManifest {
  /** The id plans name in `action.adapter`, e.g. `hubspot`. */
  id: string;
  /** Human name of the platform. */
  platform: string;
  /** Action types it executes. */
  actionTypes: readonly ActionType[];
  /**
   * How a retried action is kept from running twice: `platform_key` (the platform dedupes on a key the adapter
   * sends, e.g. a webhook-id or an event id), or `none` (the platform offers no key: the gateway's outbox dedupes,
   * and a request whose fate is unknown is reported `IN_DOUBT`, never resent).
   */
  idempotency: 'platform_key' | 'none';
  /** The platform offers a validate-only or dry-run mode the adapter uses in `validate`. */
  supportsDryRun: boolean;
  /** `status` and `cancel` are implemented. */
  supportsStatus: boolean;
  supportsCancel: boolean;
  /**
   * The action types whose dispatched effect {@link AutomationAdapter.reverse} can undo through the platform's
   * documented API (absent: none). Which action types are reversible at all, and how, is the contract's
   * (`@handoff/protocol`); this lists what this adapter implements.
   */
  reversibleActionTypes?: readonly ActionType[];
  /**
   * The action types whose results {@link AutomationAdapter.readResults} reads back from the platform (absent:
   * none); each is also in `actionTypes`.
   */
  resultsActionTypes?: readonly ActionType[];
  /**
   * `preflight` is implemented: before a dispatch the gateway asks the adapter to read the platform's current state
   * and validate the change there (e.g. Google Ads' `validateOnly` mutate), and stops the action on what it finds
   * (absent: false).
   */
  supportsPreflight?: boolean;
  /** The platform's budget limits, where it has any (minimum budget, granularity). See {@link BudgetLimits}. */
  budgetLimits?: BudgetLimits;
  rateLimits: readonly RateLimit[];
  /** Platform documentation the adapter follows. */
  docs: readonly string[];
}

/**
 * What a platform accepts as a campaign budget, in the contract's integer minor units. Figures the platform states
 * per account at request time (e.g. Meta's `minimum_budgets` edge) are not repeated here: `preflight` reads them
 * and reports them with its issues.
 */
export interface BudgetLimits {
  /**
   * Budgets must be whole multiples of this many minor units: `default` for every currency not in `byCurrency`
   * (e.g. Google Ads' billable unit, Meta's currency offset: 100 minor units of a currency Meta treats as having no
   * cents, such as TWD or HUF).
   */
  granularityMinor: { default: number; byCurrency?: Readonly<Record<string, number>> };
  /** The smallest daily budget the platform accepts, minor units per ISO 4217 currency, where fixed. */
  minimumDailyMinor?: Readonly<Record<string, number>>;
  /** Where each figure comes from (`minimum`: read per account at preflight, or fixed). */
  notes: string;
  /** The platform documentation of the limits. */
  source: string;
}

/**
 * Why a preflight stops an action (codes are stable):
 * - `CONFLICT`: the platform's current value is not the one the plan was made against (e.g. the budget differs
 *   from the action's `currentBudget`: someone changed it since the copilot looked);
 * - `BELOW_PLATFORM_MINIMUM` / `ABOVE_PLATFORM_MAXIMUM`: outside what the platform accepts, with its figure;
 * - `BUDGET_GRANULARITY`: not a whole multiple of the platform's unit;
 * - `BUDGET_TYPE_MISMATCH`: the platform's budget is not of the action's `budgetType` (daily vs lifetime/total);
 * - `CURRENCY_MISMATCH`: the account's currency is not the action's;
 * - `PLATFORM_REJECTED`: the platform's own validation (e.g. a `validateOnly` request) refused it.
 */
export type PreflightIssueCode =
  | 'CONFLICT'
  | 'BELOW_PLATFORM_MINIMUM'
  | 'ABOVE_PLATFORM_MAXIMUM'
  | 'BUDGET_GRANULARITY'
  | 'BUDGET_TYPE_MISMATCH'
  | 'CURRENCY_MISMATCH'
  | 'PLATFORM_REJECTED';

/** One reason a preflight stops an action: a JSON Pointer into the action, a stable code, the platform's figures. */
export interface PreflightIssue {
  path: string;
  code: PreflightIssueCode;
  message: string;
}

/**
 * What a preflight found. `observed` holds the platform's figures (small facts only, money in integer minor
 * units, e.g. `{ currentBudget: { amountMinor, currency }, status }`), recorded in the lineage either way.
 * `alreadyApplied`: the platform already holds what the action asks (e.g. a retry after an answer was lost), so
 * executing it again changes nothing.
 */
export type PreflightResult =
  | { ok: true; observed: Record<string, unknown>; alreadyApplied?: boolean }
  | { ok: false; observed: Record<string, unknown>; issues: PreflightIssue[] };

/** What `execute` gets besides the action. */
export interface ExecuteContext {
  /** Deterministic per action (plan digest, option, index): the same on every retry and after a restart. */
  idempotencyKey: string;
  /** Fires on kill switch or shutdown: stop before sending if possible. */
  signal: AbortSignal;
  /** The HTTP client (injected: tests and examples point it at the local fakes). */
  fetch: typeof fetch;
  /** Epoch milliseconds (injected, for `Retry-After` dates and timestamps). */
  now: () => number;
  /**
   * When the action was queued for dispatch (the plan's approval), epoch MILLISECONDS: the same on every attempt
   * and after a restart. Adapters use it for the time the event happened (e.g. the CloudEvents `time`), never
   * {@link ExecuteContext.now}, which moves with each attempt.
   */
  queuedAt: number;
  /** 1 on the first try. */
  attempt: number;
}

/** What a platform did with one action. */
export interface ExecuteReceipt {
  /** `succeeded`: done; `accepted`: queued by the platform (asynchronous). */
  status: 'succeeded' | 'accepted';
  /** The platform's own id for what it did (a dispatch id, a send id, an enrollment id). */
  platformRef?: string;
  /** What it cost, where the platform reports it (integer minor units). */
  actualCost?: Money;
  /** Small facts worth recording (counts, ids), never credentials or whole payloads. */
  details?: Record<string, unknown>;
  /**
   * What undoing this action needs, captured at dispatch (e.g. the campaign budget read from the platform just
   * before the change, as `{ previousBudget: { amount, currency } }` in integer minor units). Small facts only,
   * never credentials, contacts or payloads. The gateway keeps it with the receipt and hands it back to
   * {@link AutomationAdapter.reverse}.
   */
  reversal?: Record<string, unknown>;
}

/** The outcome of `validate`: issues use JSON Pointer paths into the action. */
export type AdapterValidation =
  | { ok: true }
  | { ok: false; issues: { path: string; code: string; message: string }[] };

/**
 * An automation platform as the gateway sees it. Implementations throw only `AdapterError` and follow their
 * platform's documented API exactly (cited in their TSDoc).
 */
export interface AutomationAdapter {
  readonly manifest: AdapterManifest;
  /** Checks an action against the platform's documented limits before anything is sent. */
  validate(action: Action): AdapterValidation;
  /** Executes one action. */
  execute(action: Action, ctx: ExecuteContext): Promise<ExecuteReceipt>;
  /**
   * Reads the platform's current state for `action` and validates the change there, changing nothing (reads, and
   * the platform's validate-only mode where it has one). Implemented when `manifest.supportsPreflight`.
   *
   * @throws AdapterError when the platform cannot be asked (the same codes as `execute`: `AUTH_FAILED`,
   *   `NOT_FOUND`, `RATE_LIMITED`, `PLATFORM_UNAVAILABLE`, `TIMEOUT`, `ABORTED`, `UNSUPPORTED_ACTION`); what the
   *   platform says about the change itself comes back as a {@link PreflightResult}, never thrown.
   */
  preflight?(action: Action, ctx: ExecuteContext): Promise<PreflightResult>;
  /** The platform's view of something done before, where the platform allows it. */
  status?(
    platformRef: string,
    ctx: Omit<ExecuteContext, 'idempotencyKey' | 'attempt'>,
  ): Promise<ExecuteReceipt>;
  /**
   * Undoes a dispatched action where the platform's documented API allows it: e.g. sets a campaign budget back to
   * the amount read at dispatch, unenrols the enrolled contacts, cancels a scheduled message before its send
   * time. `reversal` is what `execute` returned in {@link ExecuteReceipt.reversal}; `ctx.idempotencyKey` is the
   * compensation's own key (stable across retries and restarts). Implemented for the types in
   * {@link AdapterManifest.reversibleActionTypes}.
   *
   * @throws AdapterError `UNSUPPORTED_ACTION` when this action cannot be reversed here, `CONFLICT` when the
   *   platform's state no longer allows it (e.g. the message was already sent), or any code `execute` throws.
   */
  reverse?(
    action: Action,
    reversal: Record<string, unknown>,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt>;
  /**
   * Reads back what a dispatched action achieved at the platform (sends, opens, conversions ...), where the
   * platform documents a results API, for the types in {@link AdapterManifest.resultsActionTypes}. See `results.ts`.
   *
   * @throws AdapterError `UNSUPPORTED_ACTION` for another type, `NOT_FOUND` when the platform knows no such object,
   *   `AUTH_FAILED`, `RATE_LIMITED`, `PLATFORM_UNAVAILABLE`, `TIMEOUT`, `ABORTED`.
   */
  readResults?(action: Action, ctx: ResultsContext): Promise<PlatformResults>;
  /** Cancels something scheduled, where the platform allows it. */
  cancel?(
    platformRef: string,
    ctx: Omit<ExecuteContext, 'idempotencyKey' | 'attempt'>,
  ): Promise<void>;
}
