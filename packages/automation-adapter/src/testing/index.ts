/**
 * `@handoff/automation-adapter/testing`: what adapter authors test with. The conformance kit
 * ({@link runAdapterConformance}, its checks and harness), the fake-platform plumbing every fake builds on
 * (`FakePlatform`, `FaultQueue`, `recordCall`, `serveFake`), and the webhook fake with the verifier it uses.
 * Imports `vitest` (the conformance kit registers tests) and `msw`.
 */

export { type BrazeFake, type BrazeFakeOptions, createBrazeFake } from '../braze/braze-fake.js';
export {
  type CustomerIoFake,
  type CustomerIoFakeOptions,
  createCustomerIoFake,
} from '../customerio/customerio-fake.js';
export {
  createGoogleAdsFake,
  type FakeGoogleCampaign,
  type GoogleAdsFake,
  type GoogleAdsFakeOptions,
} from '../google-ads/google-ads-fake.js';
export {
  createHubSpotFake,
  type HubSpotFake,
  type HubSpotFakeOptions,
} from '../hubspot/hubspot-fake.js';
export {
  createMetaFake,
  type FakeMetaObject,
  type MetaFake,
  type MetaFakeOptions,
} from '../meta/meta-fake.js';
export { createWebhookFake, type WebhookFakeOptions } from '../webhook/webhook-fake.js';
export {
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  WebhookVerificationError,
} from '../webhook/webhook-verify.js';
export {
  CONFORMANCE_CHECKS,
  CONFORMANCE_NOW_MS,
  CONFORMANCE_TIMEOUT_MS,
  type ConformanceCheck,
  ConformanceFailure,
  type ConformanceRun,
  type ConformanceSubject,
  conformanceKey,
  runAdapterConformance,
} from './conformance.js';
export {
  type FakeCall,
  type FakePlatform,
  type Fault,
  FaultQueue,
  holdUntilClientAborts,
  recordCall,
} from './fake-platform.js';
export { type ServedFake, serveFake } from './serve-fake.js';
