/**
 * `@handoff/automation-adapter`: the automation adapter interface of Handoff and its reference adapters.
 * Test helpers (fakes, the conformance kit) are in `@handoff/automation-adapter/testing`.
 */

// The interface every adapter implements.
export type {
  AdapterManifest,
  AdapterValidation,
  AutomationAdapter,
  BudgetLimits,
  ExecuteContext,
  ExecuteReceipt,
  PreflightIssue,
  PreflightIssueCode,
  PreflightResult,
  RateLimit,
} from './adapter.js';
// The one error adapters throw.
export {
  ADAPTER_ERROR_CODES,
  AdapterError,
  type AdapterErrorCode,
  DEFAULT_RETRYABLE,
  isAdapterError,
  type PlatformFailure,
  parseRetryAfter,
} from './adapter-error.js';
// Braze (campaign and Canvas trigger sends, scheduled messages, users/track).
export { type BrazeAdapterOptions, createBrazeAdapter } from './braze/braze-adapter.js';
// Customer.io (Track API and App API, US and EU regions).
export {
  type CustomerIoAdapterOptions,
  createCustomerIoAdapter,
} from './customerio/customerio-adapter.js';
export {
  CUSTOMERIO_BASE_URLS,
  type CustomerIoBaseUrls,
  type CustomerIoRegion,
} from './customerio/requests.js';
// Google Ads (REST: campaign budgets with a validateOnly preflight, campaign and ad group status).
export {
  createGoogleAdsAdapter,
  type GoogleAdsAdapterOptions,
} from './google-ads/google-ads-adapter.js';
export { GOOGLE_ADS_API_VERSION } from './google-ads/google-ads-api.js';
// The shared platform HTTP helper.
export {
  type ErrorBodyReader,
  errorFromResponse,
  type PlatformRequest,
  type PlatformResponse,
  sendPlatformRequest,
} from './http.js';
// HubSpot (private-app bearer auth; workflows v2 enrollment, list memberships, contacts batch upsert, single-send).
export { createHubSpotAdapter, type HubSpotAdapterOptions } from './hubspot/hubspot-adapter.js';
// Meta Marketing API (campaign and ad set budgets in offset units, status; throttling headers).
export { createMetaAdapter, type MetaAdapterOptions } from './meta/meta-adapter.js';
export { META_API_VERSION } from './meta/meta-api.js';
// Money in platform formats.
export {
  fromPlatformAmount,
  metaOffset,
  type PlatformMoneyFormat,
  toPlatformAmount,
} from './platform-money.js';
// Reading results back from a platform (adapters that implement `readResults`).
export type { PlatformResults, ResultsContext, ResultsWindow } from './results.js';
// Webhook (Standard Webhooks + CloudEvents 1.0).
export {
  buildCloudEvent,
  CLOUDEVENTS_CONTENT_TYPE,
  type CloudEvent,
  type CloudEventInput,
} from './webhook/cloud-event.js';
export {
  createWebhookAdapter,
  STANDARD_WEBHOOKS_SPEC,
  type WebhookAdapterOptions,
  webhookMessageId,
} from './webhook/webhook-adapter.js';
export {
  guardedLookup,
  isBlockedAddress,
  isPrivateHost,
  type ResolvedAddress,
  type WebhookResolver,
} from './webhook/webhook-address.js';
export {
  decodeWebhookSecret,
  decodeWebhookSigningKey,
  encodeWebhookPublicKey,
  encodeWebhookSigningKey,
  type WebhookPublicKey,
  type WebhookScheme,
  type WebhookSigningKey,
} from './webhook/webhook-keys.js';
export { signedWebhookHeaders, WEBHOOK_HEADERS } from './webhook/webhook-signature.js';
export {
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  WEBHOOK_VERIFICATION_ERROR_CODES,
  type WebhookRequestHeaders,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from './webhook/webhook-verify.js';
