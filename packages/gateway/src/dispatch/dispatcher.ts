import { randomUUID } from 'node:crypto';
import {
  AdapterError,
  type AutomationAdapter,
  type ExecuteContext,
} from '@handoff/automation-adapter';
import type { DispatchReceipt } from '@handoff/protocol';
import type { Span } from '@opentelemetry/api';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import type { Clock } from '../clock.js';
import type { AttemptFacts } from '../observability/decision-log.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { ATTR, contextOf, detached, inSpan, tracingFetch } from '../observability/tracing.js';
import { dispatchAttributes, dispatchParent } from '../observability/tracing-dispatch.js';
import { SYSTEM_ACTOR } from '../pipeline/deps.js';
import { claimCompensation } from '../rollback/claim-compensation.js';
import { reverseAction } from '../rollback/compensation.js';
import { settleRollbackIfDone } from '../rollback/settle-rollback.js';
import type { GatewayStore, OutboxRow } from '../store/store.js';
import { type DispatchRunSummary, emptySummary, reportAttempt } from './attempt-report.js';
import { type ClaimOptions, claimAction, type OutboxLease } from './claim-action.js';
import { type AttemptOutcome, toAdapterError } from './dispatch-outcome.js';
import { preflightThenExecute } from './preflight-stage.js';
import { RateLimiter } from './rate-limiter.js';
import { recordOutcome } from './record-outcome.js';
import { recoverInFlight } from './recover-in-flight.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry-schedule.js';
import { settlePlanIfDone } from './settle-plan.js';

export type { DispatchRunSummary } from './attempt-report.js';

/** Options of {@link Dispatcher}. Times in milliseconds. */
export interface DispatcherOptions {
  store: GatewayStore;
  clock: Clock;
  /** The adapters plans may name (by `manifest.id`). A row naming no known adapter becomes a dead letter. */
  adapters: readonly AutomationAdapter[];
  /** The HTTP client adapters use (default: the global `fetch`). */
  fetch?: typeof fetch;
  retry?: Partial<RetryOptions>;
  /** Rows claimed per look at the outbox. Default 64. */
  batchSize?: number;
  /** This replica's id, the owner of its outbox leases. Default: a random UUID per dispatcher (per process). */
  replicaId?: string;
  /**
   * How long an outbox lease lasts, ms: longer than a claim plus its platform call (the adapter's timeout), since
   * any replica recovers an `in_flight` row once its lease ended. Default {@link DEFAULT_LEASE_MS}.
   */
  leaseMs?: number;
  /** How often a run first recovers rows whose lease ended (`recoverInFlight`), ms on `clock`. Default 5,000. */
  recoverEveryMs?: number;
  /**
   * Plans whose actions are sent at the same time. A plan's own actions are always sent one after another, in
   * due order; rows of different plans run side by side (their claims and outcomes then share SQLite commits).
   * Each adapter's rate limit and circuit still apply. Default 16.
   */
  concurrency?: number;
  /** How long a row of a paused plan waits before the next look. Default 1,000 ms. */
  pausedHoldMs?: number;
  /**
   * Whether a plan the kill switch pauses at a claim keeps or releases its budget, as the gateway's
   * `killSwitch.onPause`. Default `keep`.
   */
  onPause?: 'keep' | 'release';
  /**
   * The suppression check before each send: the active policy's rules (its `suppression` rules name the lists)
   * and the lists. Absent: no dispatch-time check.
   */
  suppression?: ClaimOptions['suppression'];
  /** The active policy's rules, for the send-window check of triggered sends at dispatch. Absent: none. */
  sendWindowRules?: ClaimOptions['sendWindowRules'];
  /** Consecutive platform failures (5xx, timeouts) that open an adapter's circuit. Default 5. */
  breakerThreshold?: number;
  /** How long an open circuit waits before one trial request. Default 30,000 ms. */
  breakerHalfOpenAfterMs?: number;
  /** Told each attempt's adapter, fate, code and duration (on `clock`). Absent: none kept. */
  metrics?: GatewayMetrics;
  /** Told how each attempt ended (for the decision log): ids, adapter, attempt, fate and the adapter's code. */
  onAttempt?: (facts: AttemptFacts) => void;
}

/** How long an outbox lease lasts when `leaseMs` is not set: 2 minutes. */
export const DEFAULT_LEASE_MS = 120_000;

/**
 * Executes the outbox: every approved action, once, in order of due time. Several replicas may run one each on
 * one database: a run leases due rows (`claimOutbox`, owner = {@link Dispatcher.replicaId}) so no row is handed to
 * two, and first recovers, every `recoverEveryMs`, the `in_flight` rows whose lease ended (a dead replica's). Each action is claimed in one
 * transaction (kill switch checked, `in_flight`, `dispatch.attempted`), sent with no transaction open, and its
 * outcome recorded in another (receipt, retry, dead letter or in-doubt, and the plan's settlement once its last
 * row is settled). Retries are persisted (`nextAttemptAt`), so they survive restarts; a token bucket per adapter
 * keeps to the platform's documented rate limit; a circuit breaker per adapter (cockatiel) stops sending to a
 * platform that keeps failing.
 *
 * Delivery guarantee: the idempotency key of an action is the same on every attempt and after a restart, so a
 * platform that dedupes on it (`manifest.idempotency: 'platform_key'`) applies each action exactly once. For a
 * platform with no key, the gateway never re-sends a request whose fate is unknown: at-most-once, with an
 * `in_doubt` row an operator reconciles.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #adapters = new Map<string, AutomationAdapter>();
  readonly #breakers = new Map<string, CircuitBreakerPolicy>();
  /** When each adapter's circuit last opened, on the dispatcher's clock (epoch ms). */
  readonly #openedAt = new Map<string, number>();
  readonly #limiter = new RateLimiter();
  readonly #retry: RetryOptions;
  readonly #abort = new AbortController();
  /** Set by {@link drain}: no new row is started; those under way finish. */
  #draining = false;
  #running: Promise<DispatchRunSummary> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #lease: OutboxLease;
  /** When in-flight recovery last ran, on the clock (epoch ms). */
  #recoveredAt = Number.NEGATIVE_INFINITY;

  /** This replica's id: the owner of the leases it takes. */
  get replicaId(): string {
    return this.#lease.owner;
  }

  get #halfOpenAfterMs(): number {
    return this.#options.breakerHalfOpenAfterMs ?? 30_000;
  }

  /**
   * How long a row of `adapterId` must wait for its circuit, in ms (0: send). An open circuit holds rows until
   * `breakerHalfOpenAfterMs` after it opened; then rows go through to cockatiel's `execute`, which lets one trial
   * request through (half-open) and closes the circuit when it succeeds. Should cockatiel still count the circuit
   * open (its delay runs on real time, ours on the injected clock), the attempt comes back `ABORTED`, uncounted.
   */
  #circuitWait(adapterId: string, now: number): number {
    if (this.#breakers.get(adapterId)?.state !== CircuitState.Open) return 0;
    const openedAt = this.#openedAt.get(adapterId) ?? now;
    return Math.max(0, openedAt + this.#halfOpenAfterMs - now);
  }

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#lease = {
      owner: options.replicaId ?? randomUUID(),
      ms: options.leaseMs ?? DEFAULT_LEASE_MS,
    };
    for (const adapter of options.adapters) {
      const { id, rateLimits } = adapter.manifest;
      if (this.#adapters.has(id)) throw new TypeError(`Two adapters have the id ${id}`);
      this.#adapters.set(id, adapter);
      const account = rateLimits.filter((l) => l.scope === 'account');
      const strictest = account.sort((a, b) => a.requests / a.perMs - b.requests / b.perMs)[0];
      if (strictest) this.#limiter.configure(id, strictest);
      const breaker = circuitBreaker(
        handleWhen((e) => {
          const code = toAdapterError(e, true).code;
          return code === 'PLATFORM_UNAVAILABLE' || code === 'TIMEOUT' || code === 'IN_DOUBT';
        }),
        {
          halfOpenAfter: this.#halfOpenAfterMs,
          breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
        },
      );
      breaker.onBreak(() => this.#openedAt.set(id, options.clock.now()));
      breaker.onReset(() => this.#openedAt.delete(id));
      this.#breakers.set(id, breaker);
    }
  }

  /**
   * Recovers the `in_flight` rows whose lease ended (a dead replica's, see {@link recoverInFlight}): run at start,
   * and by {@link runDue} every `recoverEveryMs`. Returns how many rows it re-queued and how many it marked in
   * doubt.
   */
  recover(): Promise<{ requeued: number; inDoubt: number }> {
    const now = this.#options.clock.now();
    this.#recoveredAt = now;
    return recoverInFlight(this.#options.store, now, (id) => {
      const adapter = this.#adapters.get(id);
      return adapter?.manifest.idempotency === 'platform_key';
    });
  }

  /**
   * Executes every outbox row due now, one at a time, until none is due. Calls made while a run is under way join
   * it (one more pass runs after it). Resolves with what the run did.
   */
  runDue(): Promise<DispatchRunSummary> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    // Runs outside the caller's trace (a request may trigger it): each row's span names its own parent.
    this.#running = detached(() => this.#drain()).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /**
   * Runs {@link runDue} every `intervalMs` milliseconds (real time) until {@link stop}; a failed run (e.g. the
   * database is unavailable) goes to `onError` and the next tick tries again.
   */
  start(intervalMs = 250, onError: (error: unknown) => void = () => undefined): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.runDue().catch(onError);
    }, intervalMs);
    this.#timer.unref();
  }

  /**
   * Stops the timer and starts no new row, then waits for the requests already sent to be answered and recorded
   * (nothing is aborted, so no dispatch is left in doubt by a shutdown). Call {@link stop} after it.
   */
  async drain(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draining = true;
    await this.#running?.catch(() => undefined);
  }

  #halted(): boolean {
    return this.#draining || this.#abort.signal.aborted;
  }

  /** Stops the timer, aborts requests not yet sent and waits for the run under way. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#running?.catch(() => undefined);
  }

  async #drain(): Promise<DispatchRunSummary> {
    const summary = emptySummary();
    const limit = this.#options.batchSize ?? 64;
    const { clock, store } = this.#options;
    if (clock.now() - this.#recoveredAt >= (this.#options.recoverEveryMs ?? 5_000)) {
      await this.recover();
    }
    do {
      this.#again = false;
      for (;;) {
        if (this.#halted()) break;
        const atMs = clock.now();
        const { owner, ms: leaseMs } = this.#lease;
        const due = await store.transaction((tx) =>
          tx.claimOutbox({ atMs, limit, leaseMs, owner }),
        );
        if (due.length === 0) break;
        await this.#dispatchRows(due, summary);
      }
    } while (this.#again && !this.#halted());
    return summary;
  }

  /** Sends `rows`: one lane per plan (its rows in order), up to `concurrency` lanes at once. */
  async #dispatchRows(rows: readonly OutboxRow[], summary: DispatchRunSummary): Promise<void> {
    const lanes = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const lane = lanes.get(row.planId);
      if (lane) lane.push(row);
      else lanes.set(row.planId, [row]);
    }
    const waiting = [...lanes.values()];
    const started = new Set<OutboxRow>();
    const worker = async () => {
      for (let lane = waiting.shift(); lane; lane = waiting.shift()) {
        for (const row of lane) {
          if (this.#halted()) return;
          started.add(row);
          await this.#dispatchOne(row, summary);
        }
      }
    };
    const workers = Math.min(this.#options.concurrency ?? 16, waiting.length);
    // Every lane settles before the run goes on (or fails with the first error): no orphan sends.
    const settled = await Promise.allSettled(Array.from({ length: workers }, worker));
    // Halted: the rows leased but never looked at go back to every replica at once, not when their lease ends.
    await this.#releaseLeases(rows.filter((row) => !started.has(row)));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The condition of a write to a row this replica leased: still `pending`, its attempts as leased, its lease. */
  #asLeased(row: OutboxRow) {
    return { status: 'pending' as const, attempts: row.attempts, leaseOwner: this.#lease.owner };
  }

  /** Clears this replica's lease on `rows` still `pending` and leased by it. */
  async #releaseLeases(rows: readonly OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { store, clock } = this.#options;
    await store.transaction(async (tx) => {
      for (const row of rows) {
        // Only while it is still as leased (another replica may hold it since this lease ended).
        await tx.updateOutbox(row.idempotencyKey, this.#asLeased(row), {
          leaseOwner: null,
          leaseUntil: null,
          updatedAt: clock.now(),
        });
      }
    });
  }

  async #dispatchOne(row: OutboxRow, summary: DispatchRunSummary): Promise<void> {
    const { store, clock } = this.#options;
    const adapter = this.#adapters.get(row.adapter);
    const now = clock.now();
    const wait = adapter
      ? this.#circuitWait(row.adapter, now) || this.#limiter.take(row.adapter, now)
      : 0;
    if (wait > 0) {
      summary.held += 1;
      await store.transaction((tx) =>
        tx.updateOutbox(row.idempotencyKey, this.#asLeased(row), {
          nextAttemptAt: now + wait,
          leaseOwner: null,
          leaseUntil: null,
          updatedAt: now,
        }),
      );
      return;
    }
    // One span per look at a due row (claimed attempt, or held/abandoned at its claim), a child of the request
    // that queued the row while that is remembered (see tracing-dispatch.ts).
    await inSpan(
      'handoff.dispatch',
      dispatchAttributes(row),
      (span) => this.#attempt(row, now, summary, span),
      { parent: contextOf(dispatchParent(row.idempotencyKey)) },
    );
  }

  /** Claims `row`, sends it and records the outcome (see {@link Dispatcher}). */
  async #attempt(
    row: OutboxRow,
    now: number,
    summary: DispatchRunSummary,
    span: Span | undefined,
  ): Promise<void> {
    const { store, clock } = this.#options;
    const holdMs = this.#options.pausedHoldMs ?? 1_000;
    // A rollback's compensation (`reverses`) goes through the same outbox, claimed and settled its own way.
    const compensation = row.reverses !== undefined;
    const claim = await store.transaction((tx) =>
      compensation
        ? claimCompensation(tx, row, now, holdMs, this.#lease)
        : claimAction(tx, row, now, {
            lease: this.#lease,
            holdMs,
            onPause: this.#options.onPause ?? 'keep',
            ...(this.#options.suppression ? { suppression: this.#options.suppression } : {}),
            ...(this.#options.sendWindowRules
              ? { sendWindowRules: this.#options.sendWindowRules }
              : {}),
          }),
    );
    if (claim.kind === 'held') summary.held += 1;
    if (claim.kind === 'abandoned') summary.abandoned += 1;
    if (claim.kind !== 'claimed') {
      span?.setAttribute(ATTR.outcome, claim.kind);
      return;
    }
    summary.attempted += 1;
    const { claimed } = claim;
    const { action, reversal } = claimed;
    const outcome = await this.#execute(
      this.#adapters.get(row.adapter),
      this.#breakers.get(row.adapter),
      action,
      reversal === undefined
        ? (adapter, ctx) => preflightThenExecute(adapter, action, ctx)
        : async (adapter, ctx) => ({
            kind: 'succeeded',
            receipt: await reverseAction(adapter, action, reversal, ctx),
          }),
      {
        idempotencyKey: row.idempotencyKey,
        attempt: claimed.attempt,
        // When approval queued the row: fixed for the row's life, so an event's time is the same on every retry.
        queuedAt: row.createdAt,
      },
    );
    const atMs = clock.now();
    const fate = await store.transaction(async (tx) => {
      const receipts = new Map<string, DispatchReceipt>();
      const result = await recordOutcome(
        tx,
        claimed,
        outcome,
        { startedAtMs: now, atMs, retry: this.#retry, leaseOwner: this.#lease.owner },
        receipts,
      );
      // Settled from what this transaction holds: the claimed plan document and the receipt just written.
      if (compensation)
        await settleRollbackIfDone(tx, row.tenantId, row.planId, atMs, SYSTEM_ACTOR);
      else
        await settlePlanIfDone(tx, row.tenantId, row.planId, atMs, SYSTEM_ACTOR, {
          plan: claimed.plan,
          receipts,
        });
      return result;
    });
    reportAttempt(
      { ...this.#options, known: this.#adapters.has(row.adapter) },
      { row, attempt: claimed.attempt, outcome, fate, durationMs: atMs - now, span },
      summary,
    );
  }

  async #execute(
    adapter: AutomationAdapter | undefined,
    breaker: CircuitBreakerPolicy | undefined,
    action: Parameters<AutomationAdapter['execute']>[0],
    send: (adapter: AutomationAdapter, ctx: ExecuteContext) => Promise<AttemptOutcome>,
    key: { idempotencyKey: string; attempt: number; queuedAt: number },
  ): Promise<AttemptOutcome> {
    if (!adapter || !breaker) {
      return {
        kind: 'failed',
        error: new AdapterError('UNSUPPORTED_ACTION', `No adapter ${action.adapter} is configured`),
      };
    }
    const validation = adapter.validate(action);
    if (!validation.ok) {
      return {
        kind: 'failed',
        error: new AdapterError(
          'UNSUPPORTED_ACTION',
          validation.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        ),
      };
    }
    const deduped = adapter.manifest.idempotency === 'platform_key';
    const ctx = {
      ...key,
      signal: this.#abort.signal,
      // Adds the dispatch span's `traceparent` to the adapter's requests (when tracing is on).
      fetch: tracingFetch(this.#options.fetch ?? fetch),
      now: () => this.#options.clock.now(),
    };
    try {
      // One breaker call per attempt: a preflight that passes does not reset the count of failed executions.
      return await breaker.execute(() => send(adapter, ctx));
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        return {
          kind: 'failed',
          error: new AdapterError('ABORTED', 'The adapter circuit is open; not sent'),
        };
      }
      return { kind: 'failed', error: toAdapterError(error, deduped) };
    }
  }
}
