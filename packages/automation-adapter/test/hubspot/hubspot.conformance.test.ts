import { createHubSpotAdapter } from '../../src/hubspot/hubspot-adapter.js';
import { createHubSpotFake } from '../../src/hubspot/hubspot-fake.js';
import {
  CONFORMANCE_NOW_MS,
  type ConformanceSubject,
  runAdapterConformance,
} from '../../src/testing/conformance.js';
import {
  enrollAction,
  listAction,
  SEED,
  sendAction,
  TOKEN,
  TRACK_EVENT,
  upsertAction,
} from './hubspot-fixtures.js';

/**
 * The HubSpot adapter against its fake. The first sample (which the fault checks use) is an enrolment: HubSpot
 * offers no key for it, so a timeout or reset after apply must be `IN_DOUBT`, as the manifest's `none` says. The
 * single send, the one action HubSpot dedupes (`sendId`), is covered by the request tests.
 */
const subject: ConformanceSubject = {
  name: 'hubspot',
  makeFake: () => createHubSpotFake({ accessToken: TOKEN, now: () => CONFORMANCE_NOW_MS, ...SEED }),
  makeAdapter: (fake, { credentials, timeoutMs }) =>
    createHubSpotAdapter({
      accessToken: credentials === 'valid' ? TOKEN : 'pat-na1-revoked',
      baseUrl: fake.baseUrl,
      timeoutMs,
    }),
  sampleActions: [
    enrollAction(['ada@example.com']),
    listAction(),
    listAction([{ email: 'grace@example.com' }]),
    upsertAction(),
    sendAction(),
  ],
  unsupportedAction: TRACK_EVENT,
};

runAdapterConformance(subject);
