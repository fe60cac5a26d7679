import type { Action } from '@handoff/protocol';
import { AdapterError } from '../adapter-error.js';
import { errorFromResponse, sendPlatformRequest } from '../http.js';
import type { PlatformResults, ResultsContext } from '../results.js';
import { readCustomerIoError } from './requests.js';

/** Customer.io's page of the endpoint read, cited in the manifest's docs. */
export const BROADCAST_METRICS_DOC =
  'https://docs.customer.io/integrations/api/app/tag/broadcasts/broadcastMetrics/';

/** The window read: the documented maximum of daily steps (45 days), enough for any forecast horizon up to it. */
const WINDOW = { unit: 'days', steps: 45 } as const;

/** Sums each metric's series (`{ metric: { series: { sent: [..], opened: [..], ... } } }`) into totals. */
function totalsOf(body: unknown): Record<string, number> | undefined {
  const series = (body as { metric?: { series?: unknown } } | undefined)?.metric?.series;
  if (typeof series !== 'object' || series === null) return undefined;
  const totals: Record<string, number> = {};
  for (const [name, values] of Object.entries(series)) {
    if (!Array.isArray(values)) return undefined;
    let sum = 0;
    for (const value of values) {
      if (!Number.isSafeInteger(value) || value < 0) return undefined;
      sum += value;
    }
    totals[name] = sum;
  }
  return totals;
}

/**
 * Reads a triggered broadcast's metrics back: `GET {appUrl}/v1/broadcasts/{broadcast_id}/metrics?period=days&steps=45`
 * (App API, Bearer auth; {@link BROADCAST_METRICS_DOC}). Customer.io answers per metric a series of counts, oldest
 * first, one per day; the totals are their sums over the 45 days before the read.
 *
 * @throws AdapterError `UNSUPPORTED_ACTION` (not a `trigger_broadcast`), `NOT_FOUND` (404: no such broadcast),
 *   `AUTH_FAILED`, `RATE_LIMITED`, `PLATFORM_UNAVAILABLE`, `TIMEOUT` (a read is safe to retry), `ABORTED`, and
 *   `INVALID_REQUEST` for an answer without the documented `metric.series` of counts.
 */
export async function readBroadcastResults(
  request: { appUrl: string; appAuth: string; timeoutMs: number },
  action: Action,
  ctx: ResultsContext,
): Promise<PlatformResults> {
  if (action.type !== 'trigger_broadcast') {
    throw new AdapterError(
      'UNSUPPORTED_ACTION',
      `Customer.io results are read for trigger_broadcast only, not ${action.type}`,
    );
  }
  const path = `/v1/broadcasts/${encodeURIComponent(action.params.broadcastId)}/metrics`;
  const uri = `${request.appUrl}${path}?period=${WINDOW.unit}&steps=${WINDOW.steps}`;
  const response = await sendPlatformRequest(ctx, {
    method: 'GET',
    url: uri,
    headers: { authorization: request.appAuth, accept: 'application/json' },
    timeoutMs: request.timeoutMs,
    // A read changes nothing at the platform: safe to send again.
    deduped: true,
  });
  if (response.status < 200 || response.status >= 300) {
    throw errorFromResponse(response, readCustomerIoError, ctx.now());
  }
  const totals = totalsOf(response.body);
  if (totals === undefined) {
    throw new AdapterError(
      'INVALID_REQUEST',
      'Customer.io answered broadcast metrics without metric.series of non-negative counts',
    );
  }
  return { totals, window: WINDOW, source: { uri, readAt: new Date(ctx.now()).toISOString() } };
}
