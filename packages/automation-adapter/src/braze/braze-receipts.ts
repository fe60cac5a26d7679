import type { ExecuteReceipt } from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import {
  BRAZE_LIMITS,
  isRecord,
  MAX_RECORDED_NON_FATAL_ERRORS,
  nonFatalErrors,
} from './braze-api.js';

const DAY_MS = 86_400_000;

function dispatchIds(answers: readonly unknown[]): string[] {
  return answers.flatMap((answer) =>
    isRecord(answer) && typeof answer.dispatch_id === 'string' ? [answer.dispatch_id] : [],
  );
}

/** Sums a numeric field over the answers (`attributes_processed`, `events_processed`), undefined when none has it. */
function sum(answers: readonly unknown[], field: string): number | undefined {
  const values = answers.flatMap((answer) =>
    isRecord(answer) && typeof answer[field] === 'number' ? [answer[field]] : [],
  );
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

/**
 * The receipt of accepted Braze requests. Always `accepted`: Braze's "success only means that the RESTful API payload
 * was correctly formed and passed onto" its messaging services, and `/users/track` queues its objects
 * (https://www.braze.com/docs/api/errors/). `platformRef` is the dispatch id (comma-separated when the action took
 * several requests). `details` carries the request count, the dispatch ids, Braze's processed counts, `queued` when
 * Braze answered `{ "message": "queued" }` (maintenance), and every non-fatal error: `nonFatalErrorCount` and the
 * first 50 in `nonFatalErrors` (the recipients or objects they name were not processed).
 */
export function brazeReceipt(
  answers: readonly unknown[],
  facts: Record<string, unknown>,
): ExecuteReceipt {
  const ids = dispatchIds(answers);
  const errors = answers.flatMap(nonFatalErrors);
  const attributes = sum(answers, 'attributes_processed');
  const events = sum(answers, 'events_processed');
  const queued = answers.some((answer) => isRecord(answer) && answer.message === 'queued');
  return {
    status: 'accepted',
    ...(ids.length === 0 ? {} : { platformRef: ids.join(',') }),
    details: {
      requests: answers.length,
      ...facts,
      ...(ids.length === 0 ? {} : { dispatchIds: ids }),
      ...(attributes === undefined ? {} : { attributesProcessed: attributes }),
      ...(events === undefined ? {} : { eventsProcessed: events }),
      ...(queued ? { queued: true } : {}),
      ...(errors.length === 0
        ? {}
        : {
            nonFatalErrorCount: errors.length,
            nonFatalErrors: errors.slice(0, MAX_RECORDED_NON_FATAL_ERRORS),
          }),
    },
  };
}

/**
 * A batched action that failed after Braze accepted some of its requests: partly applied, and not retryable (Braze
 * has no idempotency key, so a retry would repeat the accepted requests). Reported as a non-retryable `IN_DOUBT` for
 * an operator, naming how many requests were accepted, their dispatch ids and the failure (kept as `cause`, its
 * platform facts copied).
 */
export function partialFailure(
  error: AdapterError,
  accepted: readonly unknown[],
  total: number,
): AdapterError {
  const ids = dispatchIds(accepted);
  return new AdapterError(
    'IN_DOUBT',
    `Partly applied: Braze accepted ${accepted.length} of ${total} requests` +
      `${ids.length > 0 ? ` (dispatch ids ${ids.join(', ')})` : ''}; request ${accepted.length + 1} failed ` +
      `with ${error.code}: ${error.message}. Not retried: a retry would repeat the accepted requests.`,
    { retryable: false, platform: error.platform, cause: error },
  );
}

/**
 * The reference `cancel` takes for a schedule: `<campaign_id>/<schedule_id>` (Braze's delete needs both; campaign
 * ids are protocol identifiers, which never contain `/`). Undefined when Braze returned no `schedule_id`.
 */
export function scheduleRef(
  campaignId: string,
  answer: unknown,
): { platformRef: string; scheduleId: string } | undefined {
  if (!isRecord(answer) || typeof answer.schedule_id !== 'string' || answer.schedule_id === '') {
    return undefined;
  }
  return { platformRef: `${campaignId}/${answer.schedule_id}`, scheduleId: answer.schedule_id };
}

/**
 * Refuses, before sending, a `sendAt` that is not in the future or is more than 90 days ahead (Braze schedules "up
 * to 90 days in the future": https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/post_schedule_triggered_campaigns/).
 */
export function scheduleTimeError(sendAt: string, nowMs: number): AdapterError | undefined {
  const at = Date.parse(sendAt);
  if (Number.isNaN(at))
    return new AdapterError('INVALID_REQUEST', `sendAt ${sendAt} is not a date`);
  if (at <= nowMs) {
    return new AdapterError('INVALID_REQUEST', `sendAt ${sendAt} is not in the future`);
  }
  if (at > nowMs + BRAZE_LIMITS.scheduleHorizonDays * DAY_MS) {
    return new AdapterError(
      'INVALID_REQUEST',
      `sendAt ${sendAt} is more than ${BRAZE_LIMITS.scheduleHorizonDays} days ahead`,
    );
  }
  return undefined;
}
