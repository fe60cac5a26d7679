import type { GatewayLogger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { currentRequestId } from './request-context.js';

/** The `event` field of each decision-log line (documented in the gateway README). */
export const DECISION_EVENTS = {
  submission: 'plan.submitted',
  submissionRefused: 'plan.submission_refused',
  decision: 'plan.decided',
  approvalAccepted: 'approval.accepted',
  approvalRefused: 'approval.refused',
  dispatchAttempt: 'dispatch.attempt',
  deadLetter: 'dispatch.dead_lettered',
  killSwitch: 'control.kill_switch',
  capsChanged: 'budget.caps_changed',
} as const;

/** How one dispatch attempt ended (the dispatcher's row fate). */
export type AttemptFate = 'succeeded' | 'retry_scheduled' | 'dead' | 'in_doubt' | 'requeued';

/** Facts of one dispatch attempt: ids, the adapter, the attempt number, its fate and the adapter's error code. */
export interface AttemptFacts {
  tenantId: string;
  planId: string;
  actionId: string;
  adapter: string;
  attempt: number;
  fate: AttemptFate;
  code?: string;
}

/**
 * One structured line per decision the gateway takes, each with `event` (see {@link DECISION_EVENTS}) and the
 * `requestId` of the HTTP request it happened in (absent for timer-driven work, e.g. a retry's dispatch: its
 * `planId` links it to the request that approved the plan). Lines carry ids, states, codes and counts only:
 * never tokens, keys, contacts or plan payloads. The logger can be swapped once the gateway serves
 * ({@link DecisionLog.use}).
 */
export class DecisionLog {
  #logger: GatewayLogger;

  constructor(logger: GatewayLogger = silentLogger) {
    this.#logger = logger;
  }

  /** Sends later lines to `logger`. */
  use(logger: GatewayLogger): void {
    this.#logger = logger;
  }

  #line(level: 'info' | 'warn', event: string, facts: Record<string, unknown>, msg: string) {
    const requestId = currentRequestId();
    this.#logger[level]({ event, ...(requestId ? { requestId } : {}), ...facts }, msg);
  }

  /** A plan was submitted (`created` false for an idempotent repeat). */
  submission(facts: { tenantId: string; planId: string; created: boolean; state: string }): void {
    this.#line('info', DECISION_EVENTS.submission, facts, 'plan submitted');
  }

  /** A submission was refused, with its error code (the plan id is not known to be valid, so not logged). */
  submissionRefused(facts: { tenantId: string; code: string }): void {
    this.#line('warn', DECISION_EVENTS.submissionRefused, facts, 'plan submission refused');
  }

  /** The policy decision on a new plan: its state and the rules that matched. */
  decision(facts: {
    tenantId: string;
    planId: string;
    decision: string;
    state: string;
    ruleIds: string[];
  }): void {
    this.#line('info', DECISION_EVENTS.decision, facts, 'plan decided');
  }

  /** An approval (or rejection) was accepted. */
  approvalAccepted(facts: {
    tenantId: string;
    planId: string;
    decisive: boolean;
    state: string;
  }): void {
    this.#line('info', DECISION_EVENTS.approvalAccepted, facts, 'approval accepted');
  }

  /** An approval was refused, with its error code (never the token). */
  approvalRefused(facts: { tenantId: string; code: string }): void {
    this.#line('warn', DECISION_EVENTS.approvalRefused, facts, 'approval refused');
  }

  /** One dispatch attempt ended. */
  dispatchAttempt(facts: AttemptFacts): void {
    const level = facts.fate === 'succeeded' || facts.fate === 'requeued' ? 'info' : 'warn';
    this.#line(level, DECISION_EVENTS.dispatchAttempt, { ...facts }, 'dispatch attempt');
  }

  /** A dispatch became a dead letter (an operator retries, confirms or abandons it). */
  deadLetter(facts: Omit<AttemptFacts, 'fate'>): void {
    this.#line('warn', DECISION_EVENTS.deadLetter, { ...facts }, 'dispatch dead-lettered');
  }

  /** A kill switch was set (`pause`) or lifted (`resume`) on a scope. */
  killSwitch(facts: {
    tenantId: string;
    action: 'pause' | 'resume';
    scope: string;
    plans: number;
  }): void {
    this.#line('warn', DECISION_EVENTS.killSwitch, facts, 'kill switch changed');
  }

  /** A tenant's budget caps were replaced. */
  capsChanged(facts: { tenantId: string; capIds: string[] }): void {
    this.#line('info', DECISION_EVENTS.capsChanged, facts, 'budget caps changed');
  }
}
