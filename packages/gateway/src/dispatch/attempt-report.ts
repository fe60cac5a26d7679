import type { Span } from '@opentelemetry/api';
import type { AttemptFacts } from '../observability/decision-log.js';
import { type GatewayMetrics, OK_CODE } from '../observability/metrics.js';
import { ATTR } from '../observability/tracing.js';
import { fateAttributes, forgetDispatchParent } from '../observability/tracing-dispatch.js';
import type { OutboxRow } from '../store/store.js';
import type { AttemptOutcome } from './dispatch-outcome.js';
import type { RowFate } from './record-outcome.js';

// What the dispatcher tells about each attempt once its outcome is recorded: the run's summary, the Prometheus
// metrics, the decision log and the attempt's span. One place, so the three observers see the same facts.

/** What one {@link Dispatcher.runDue} did, by outcome. */
export interface DispatchRunSummary {
  attempted: number;
  succeeded: number;
  retryScheduled: number;
  deadLettered: number;
  inDoubt: number;
  requeued: number;
  /** Rows left for later: paused plan, rate limit, open circuit. */
  held: number;
  /** Rows whose plan had ended before they were sent. */
  abandoned: number;
}

const FATE_FIELD: Record<RowFate, keyof DispatchRunSummary> = {
  succeeded: 'succeeded',
  retry_scheduled: 'retryScheduled',
  dead: 'deadLettered',
  in_doubt: 'inDoubt',
  requeued: 'requeued',
};

export function emptySummary(): DispatchRunSummary {
  return {
    attempted: 0,
    succeeded: 0,
    retryScheduled: 0,
    deadLettered: 0,
    inDoubt: 0,
    requeued: 0,
    held: 0,
    abandoned: 0,
  };
}

/** Who hears of an attempt: the dispatcher's observers, and whether the row's adapter is configured. */
export interface AttemptObservers {
  metrics?: GatewayMetrics | undefined;
  onAttempt?: ((facts: AttemptFacts) => void) | undefined;
  /** The row names a configured adapter (else metrics label it `unknown`, never a caller's string). */
  known: boolean;
}

/** One recorded attempt: its row, attempt number, outcome, fate, duration (ms on the dispatcher's clock), span. */
export interface RecordedAttempt {
  row: OutboxRow;
  attempt: number;
  outcome: AttemptOutcome;
  fate: RowFate;
  durationMs: number;
  span: Span | undefined;
}

/** Counts the attempt in `summary` and tells the metrics, the decision log and the span how it ended. */
export function reportAttempt(
  observers: AttemptObservers,
  recorded: RecordedAttempt,
  summary: DispatchRunSummary,
): void {
  const { row, attempt, outcome, fate, durationMs, span } = recorded;
  span?.setAttributes({ ...fateAttributes(fate, outcome), [ATTR.attempt]: attempt });
  if (fate !== 'retry_scheduled' && fate !== 'requeued') forgetDispatchParent(row.idempotencyKey);
  summary[FATE_FIELD[fate]] += 1;
  const code = outcome.kind === 'succeeded' ? OK_CODE : outcome.error.code;
  observers.metrics?.dispatchAttempted(
    observers.known ? row.adapter : 'unknown',
    fate,
    code,
    durationMs,
  );
  observers.onAttempt?.({
    tenantId: row.tenantId,
    planId: row.planId,
    actionId: row.actionId,
    adapter: row.adapter,
    attempt,
    fate,
    ...(outcome.kind === 'failed' ? { code: outcome.error.code } : {}),
  });
}
