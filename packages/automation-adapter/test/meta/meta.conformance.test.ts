import { runAdapterConformance } from '../../src/testing/conformance.js';
import { metaSubject } from './meta-fixtures.js';

/**
 * The Meta adapter against its fake: budget moves at campaign and ad set level, a lifetime cut, pauses and a
 * resume. Graph API updates carry no idempotency key, so a lost answer must be `IN_DOUBT`; the stale action names
 * a daily budget of USD 40.00 where campaign 100 holds USD 50.00.
 */
runAdapterConformance(metaSubject);
