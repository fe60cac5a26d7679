/**
 * Reading results back from a platform: what a dispatched action achieved there (sends, deliveries, opens, clicks,
 * conversions), as the platform counts them. An adapter that can, implements `AutomationAdapter.readResults` for
 * the action types in `AdapterManifest.resultsActionTypes`; an analytics job can then turn the figures into an
 * outcome report (`outcomes.report` of the gateway) with the platform as its source. Adapters that cannot leave
 * both out: outcomes are then pushed through the gateway's API.
 */
import type { ExecuteContext } from './adapter.js';

/** What `readResults` gets besides the action: the HTTP client, the clock and a signal. */
export type ResultsContext = Pick<ExecuteContext, 'fetch' | 'now' | 'signal'>;

/** The window a platform reports over: `steps` periods of `unit`, ending when the figures were read. */
export interface ResultsWindow {
  unit: 'hours' | 'days' | 'weeks' | 'months';
  steps: number;
}

/**
 * What a platform reports of one dispatched action.
 *
 * - `totals`: per metric, the platform's count over `window` (non-negative integers), e.g. `sent`, `delivered`,
 *   `opened`, `clicked`, `converted`; metric names are the platform's own.
 * - `source`: the documented endpoint read (`uri`, without credentials) and when (`readAt`, RFC 3339 UTC), for
 *   the outcome report's data reference.
 */
export interface PlatformResults {
  totals: Record<string, number>;
  window: ResultsWindow;
  source: { uri: string; readAt: string };
}
