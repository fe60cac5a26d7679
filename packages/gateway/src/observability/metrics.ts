import { Counter, Histogram, Registry } from 'prom-client';
import type { PolicyEvaluation } from '../policy/evaluate.js';
import { registerStateGauges, type StateSource } from './metrics-state.js';

/** Latency buckets in seconds: 5 ms to 60 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Approval wait buckets in seconds: 10 s to 7 days. */
const WAIT_BUCKETS = [10, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400, 3 * 86_400, 7 * 86_400];

/** The label value of a successful attempt, where failures carry the adapter's error code. */
export const OK_CODE = 'OK';
/** The label value of a submission that was not refused (no reason code). */
export const NO_REASON = 'none';

/**
 * The gateway's Prometheus metrics, on a registry of their own (never prom-client's global one, so several
 * runtimes in one process, and tests, never share counters). Counters and histograms are updated where things
 * happen, from values already in hand (no store reads on the request path); the gauges of stored state (plans,
 * outbox, budget, kill switches) are read from the store when scraped (see `registerStateGauges`).
 *
 * Labels carry only bounded, non-secret values: tenant ids, states, rule ids, reason and error codes, configured
 * adapter ids, procedure names. Never a plan id, an idempotency key, a token, a key or a payload. Every metric is
 * listed in `docs/metrics.md`.
 */
export class GatewayMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  readonly #submitted: Counter<'tenant' | 'state' | 'reason'>;
  readonly #decisions: Counter<'rule' | 'decision' | 'code'>;
  readonly #approvals: Counter<'result' | 'code'>;
  readonly #approvalWait: Histogram<'decision'>;
  readonly #attempts: Counter<'adapter' | 'outcome' | 'code'>;
  readonly #dispatchDuration: Histogram<'adapter' | 'outcome'>;
  readonly #retries: Counter<'adapter' | 'code'>;
  readonly #deadLetters: Counter<'adapter' | 'code'>;
  readonly #resolutions: Counter<'resolution'>;
  readonly #requests: Histogram<'procedure' | 'code'>;

  constructor(state: StateSource) {
    const registers = [this.registry];
    this.#submitted = new Counter({
      name: 'handoff_plans_submitted_total',
      help: 'Plans accepted for the first time, by tenant, the state submission left them in and the refusal reason code.',
      labelNames: ['tenant', 'state', 'reason'],
      registers,
    });
    this.#decisions = new Counter({
      name: 'handoff_policy_decisions_total',
      help: 'Policy rule decisions on the option a submitted plan runs, by rule id, decision and reason code.',
      labelNames: ['rule', 'decision', 'code'],
      registers,
    });
    this.#approvals = new Counter({
      name: 'handoff_approvals_total',
      help: 'Approval tokens presented, by result (accepted, refused) and code (the refusal error code, else OK).',
      labelNames: ['result', 'code'],
      registers,
    });
    this.#approvalWait = new Histogram({
      name: 'handoff_approval_wait_seconds',
      help: 'Time from submission to the decisive approval or rejection of a plan, in seconds.',
      labelNames: ['decision'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.#attempts = new Counter({
      name: 'handoff_dispatch_attempts_total',
      help: 'Dispatch attempts by adapter, outcome (succeeded, retry_scheduled, dead, in_doubt, requeued) and code.',
      labelNames: ['adapter', 'outcome', 'code'],
      registers,
    });
    this.#dispatchDuration = new Histogram({
      name: 'handoff_dispatch_duration_seconds',
      help: 'Time from claiming an outbox row to its recorded outcome, in seconds, by adapter and outcome.',
      labelNames: ['adapter', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#retries = new Counter({
      name: 'handoff_dispatch_retries_total',
      help: 'Automatic retries scheduled after a failed attempt, by adapter and error code.',
      labelNames: ['adapter', 'code'],
      registers,
    });
    this.#deadLetters = new Counter({
      name: 'handoff_dispatch_dead_letters_total',
      help: 'Outbox rows that became dead letters, by adapter and error code.',
      labelNames: ['adapter', 'code'],
      registers,
    });
    this.#resolutions = new Counter({
      name: 'handoff_dispatch_resolutions_total',
      help: 'Operator resolutions of dead letters and in-doubt rows (retry, abandon, confirm).',
      labelNames: ['resolution'],
      registers,
    });
    this.#requests = new Histogram({
      name: 'handoff_http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by tRPC procedure and HTTP status code.',
      labelNames: ['procedure', 'code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    registerStateGauges(this.registry, state);
  }

  /**
   * A plan submitted for the first time (not an idempotent repeat): its tenant, the state it was left in, the
   * reason code of a refusal, and one decision per rule of the option it runs.
   */
  planSubmitted(input: {
    tenantId: string;
    state: string;
    reasonCode: string | null;
    optionId: string;
    evaluation: PolicyEvaluation;
  }): void {
    const reason = input.state === 'rejected' ? (input.reasonCode ?? NO_REASON) : NO_REASON;
    this.#submitted.inc({ tenant: input.tenantId, state: input.state, reason });
    const option = Object.hasOwn(input.evaluation.options, input.optionId)
      ? input.evaluation.options[input.optionId]
      : undefined;
    for (const d of option?.decisions ?? []) {
      this.#decisions.inc({ rule: d.ruleId, decision: d.decision, code: d.reasonCode });
    }
  }

  /** An approval token accepted (`code` undefined) or refused with `code`. */
  approvalPresented(code?: string): void {
    this.#approvals.inc(
      code === undefined ? { result: 'accepted', code: OK_CODE } : { result: 'refused', code },
    );
  }

  /** A plan's approval decided (`approved` or `rejected`) `waitedMs` after it was received. */
  approvalDecided(decision: string, waitedMs: number): void {
    this.#approvalWait.observe({ decision }, Math.max(0, waitedMs) / 1000);
  }

  /**
   * One dispatch attempt recorded: `adapter` (a configured adapter id, else `unknown`), its fate, the adapter's
   * error code (`OK` on success) and how long it took in ms.
   */
  dispatchAttempted(adapter: string, outcome: string, code: string, durationMs: number): void {
    this.#attempts.inc({ adapter, outcome, code });
    this.#dispatchDuration.observe({ adapter, outcome }, Math.max(0, durationMs) / 1000);
    if (outcome === 'retry_scheduled') this.#retries.inc({ adapter, code });
    if (outcome === 'dead') this.#deadLetters.inc({ adapter, code });
  }

  /** An operator resolved a dead letter or in-doubt row. */
  dispatchResolved(resolution: string): void {
    this.#resolutions.inc({ resolution });
  }

  /** One HTTP request answered: its procedure (a known name, else `other`), status code and seconds. */
  requestServed(procedure: string, status: number, seconds: number): void {
    this.#requests.observe({ procedure, code: String(status) }, seconds);
  }

  /** The text exposition format (`text/plain; version=0.0.4`), state gauges read now. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
