import { runAdapterConformance } from '../../src/testing/conformance.js';
import { googleSubject } from './google-ads-fixtures.js';

/**
 * The Google Ads adapter against its fake: a daily raise (the first sample, which the fault checks use) and a
 * total-budget cut. A mutate carries no idempotency key, so a lost answer must be `IN_DOUBT`; the stale action
 * names a daily budget of USD 40.00 where the account holds USD 50.00.
 */
runAdapterConformance(googleSubject);
