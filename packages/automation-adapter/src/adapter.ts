import type { Action, ActionType, Money } from '@handoff/protocol';

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
  rateLimits: readonly RateLimit[];
  /** Platform documentation the adapter follows. */
  docs: readonly string[];
}

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
  /** The platform's view of something done before, where the platform allows it. */
  status?(
    platformRef: string,
    ctx: Omit<ExecuteContext, 'idempotencyKey' | 'attempt'>,
  ): Promise<ExecuteReceipt>;
  /** Cancels something scheduled, where the platform allows it. */
  cancel?(
    platformRef: string,
    ctx: Omit<ExecuteContext, 'idempotencyKey' | 'attempt'>,
  ): Promise<void>;
}
