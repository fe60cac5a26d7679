import {
  type AutomationAdapter,
  createBrazeAdapter,
  createCustomerIoAdapter,
  createHubSpotAdapter,
  createWebhookAdapter,
  type WebhookSigningKey,
} from '@handoff/automation-adapter';
import { type Action, IdentifierSchema } from '@handoff/protocol';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { buildAdAdapter, GoogleAdsConfigSchema, MetaConfigSchema } from './ad-adapters-config.js';
import { EnvNameSchema, HttpUrlSchema, TimeoutSchema } from './adapter-config-fields.js';

/**
 * The automation adapters a gateway dispatches to, each with its secrets named by environment variable:
 * - `webhook`: Standard Webhooks signing with an HMAC secret (`whsec_...`, scheme `v1`) from `signingSecretEnv`,
 *   an Ed25519 signing key (`whsk_...`, scheme `v1a`; receivers verify with its `whpk_` public key) from
 *   `signingKeyEnv`, or both (each request then carries both signatures, e.g. while receivers move to `v1a`);
 * - `hubspot`: a private-app token from `accessTokenEnv`; `baseUrl` defaults to `https://api.hubapi.com`;
 * - `customerio`: `region` (`us`/`eu`), Track API site id and key and App API key from env; `baseUrls` overrides
 *   the region's hosts (a local fake);
 * - `braze`: the instance `restEndpoint` and a REST API key from `apiKeyEnv`;
 * - `google_ads` / `meta`: the ad platforms (ad-adapters-config.ts): budgets, pause and resume, with a preflight.
 * `id` is what plans name in `action.adapter` (default: the type).
 */
export const AdapterConfigSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('webhook'),
      id: IdentifierSchema.optional(),
      signingSecretEnv: EnvNameSchema.optional().meta({
        description: 'Environment variable holding the HMAC secret (whsec_...): v1 signatures.',
      }),
      signingKeyEnv: EnvNameSchema.optional().meta({
        description:
          'Environment variable holding the Ed25519 signing key (whsk_...): v1a signatures.',
      }),
      timeoutMs: TimeoutSchema,
      allowPrivateNetworks: z.boolean().optional().meta({
        description:
          'Let webhooks target loopback, private, link-local and reserved addresses (default false; the gateway warns at start when true).',
      }),
    })
    .refine((c) => c.signingSecretEnv !== undefined || c.signingKeyEnv !== undefined, {
      message:
        'A webhook adapter signs with signingSecretEnv (v1, whsec_), signingKeyEnv (v1a, whsk_) or both',
    })
    .meta({ anyOf: [{ required: ['signingSecretEnv'] }, { required: ['signingKeyEnv'] }] }),
  z.strictObject({
    type: z.literal('hubspot'),
    id: IdentifierSchema.optional(),
    accessTokenEnv: EnvNameSchema,
    baseUrl: HttpUrlSchema.optional(),
    timeoutMs: TimeoutSchema,
  }),
  z.strictObject({
    type: z.literal('customerio'),
    id: IdentifierSchema.optional(),
    region: z.enum(['us', 'eu']),
    siteIdEnv: EnvNameSchema,
    trackApiKeyEnv: EnvNameSchema,
    appApiKeyEnv: EnvNameSchema,
    baseUrls: z.strictObject({ track: HttpUrlSchema, app: HttpUrlSchema }).optional(),
    timeoutMs: TimeoutSchema,
  }),
  z.strictObject({
    type: z.literal('braze'),
    id: IdentifierSchema.optional(),
    restEndpoint: HttpUrlSchema,
    apiKeyEnv: EnvNameSchema,
    timeoutMs: TimeoutSchema,
  }),
  GoogleAdsConfigSchema,
  MetaConfigSchema,
]);
export type AdapterConfig = z.infer<typeof AdapterConfigSchema>;

/**
 * How the outbox dispatcher runs: how often it looks for due actions (ms), how many plans' actions it sends at
 * once (`concurrency`; a plan's own actions always go one after another), how it retries (attempts before a
 * dead letter; first and largest backoff delay in ms) and when an adapter's circuit opens (consecutive platform
 * failures) and how long it stays open (ms); how long an outbox lease lasts (`leaseMs`, default 120,000: longer
 * than a platform call, since any replica recovers an in-flight row once its lease ended) and how often a
 * replica recovers expired leases (`recoverEveryMs`, default 5,000).
 */
export const DispatchConfigSchema = z.strictObject({
  leaseMs: z.int().min(1_000).max(86_400_000).optional(),
  recoverEveryMs: z.int().min(100).max(3_600_000).optional(),
  intervalMs: z.int().min(10).max(60_000).optional(),
  concurrency: z.int().min(1).max(256).optional(),
  breakerThreshold: z.int().min(1).max(1000).optional(),
  breakerHalfOpenAfterMs: z.int().min(100).max(3_600_000).optional(),
  maxAttempts: z.int().min(1).max(50).optional(),
  initialDelayMs: z.int().min(1).max(3_600_000).optional(),
  maxDelayMs: z.int().min(1).max(86_400_000).optional(),
});
export type DispatchConfig = z.infer<typeof DispatchConfigSchema>;

function secret(env: NodeJS.ProcessEnv, name: string, path: string): string {
  const value = env[name];
  if (value === undefined || value.length === 0) {
    throw new GatewayError('CONFIG_INVALID', `Environment variable ${name} is not set`, {
      issues: [{ path, code: 'ENV_MISSING', message: `Set ${name} to the adapter's secret` }],
    });
  }
  return value;
}

/** The webhook's signing keys from the environment: Ed25519 (`v1a`) first when configured, then HMAC (`v1`). */
function webhookSigning(
  config: Extract<AdapterConfig, { type: 'webhook' }>,
  env: NodeJS.ProcessEnv,
  at: (field: string) => string,
): WebhookSigningKey[] {
  const keys: WebhookSigningKey[] = [];
  if (config.signingKeyEnv !== undefined) {
    keys.push({
      scheme: 'v1a',
      privateKey: secret(env, config.signingKeyEnv, at('signingKeyEnv')),
    });
  }
  if (config.signingSecretEnv !== undefined) {
    keys.push({
      scheme: 'v1',
      secret: secret(env, config.signingSecretEnv, at('signingSecretEnv')),
    });
  }
  return keys;
}

function buildAdapter(
  config: AdapterConfig,
  index: number,
  env: NodeJS.ProcessEnv,
): AutomationAdapter {
  const at = (field: string) => `/adapters/${index}/${field}`;
  const timeout = config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs };
  const id = config.id ?? config.type;
  switch (config.type) {
    case 'webhook':
      return createWebhookAdapter({
        id,
        signing: webhookSigning(config, env, at),
        ...timeout,
        ...(config.allowPrivateNetworks ? { allowPrivateNetworks: true } : {}),
      });
    case 'hubspot':
      return withId(
        createHubSpotAdapter({
          accessToken: secret(env, config.accessTokenEnv, at('accessTokenEnv')),
          ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
          ...timeout,
        }),
        id,
      );
    case 'customerio':
      return withId(
        createCustomerIoAdapter({
          region: config.region,
          siteId: secret(env, config.siteIdEnv, at('siteIdEnv')),
          trackApiKey: secret(env, config.trackApiKeyEnv, at('trackApiKeyEnv')),
          appApiKey: secret(env, config.appApiKeyEnv, at('appApiKeyEnv')),
          ...(config.baseUrls ? { baseUrls: config.baseUrls } : {}),
          ...timeout,
        }),
        id,
      );
    case 'braze':
      return withId(
        createBrazeAdapter({
          restEndpoint: config.restEndpoint,
          apiKey: secret(env, config.apiKeyEnv, at('apiKeyEnv')),
          ...timeout,
        }),
        id,
      );
    case 'google_ads':
    case 'meta':
      return withId(
        buildAdAdapter(config, (name, field) => secret(env, name, at(field))),
        id,
      );
  }
}

/**
 * Builds the configured adapters, reading their secrets from `env`.
 *
 * @throws GatewayError `CONFIG_INVALID` when a named environment variable is unset (issue code `ENV_MISSING` at
 *   the config path), or an adapter rejects its options (e.g. a malformed webhook secret: `ADAPTER_INVALID`).
 */
export function adaptersFromConfig(
  configs: readonly AdapterConfig[],
  env: NodeJS.ProcessEnv = process.env,
): AutomationAdapter[] {
  return configs.map((config, index) => {
    try {
      return buildAdapter(config, index, env);
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new GatewayError('CONFIG_INVALID', `Adapter ${index}: ${message}`, {
        issues: [{ path: `/adapters/${index}`, code: 'ADAPTER_INVALID', message }],
      });
    }
  });
}

/** The adapter under another id (plans name adapters by id; two accounts of one platform need two ids). */
function withId(adapter: AutomationAdapter, id: string): AutomationAdapter {
  if (adapter.manifest.id === id) return adapter;
  const as = (action: Action): Action => ({ ...action, adapter: adapter.manifest.id });
  const { preflight, reverse } = adapter;
  return {
    manifest: { ...adapter.manifest, id },
    validate: (action) => adapter.validate(as(action)),
    execute: (action, ctx) => adapter.execute(as(action), ctx),
    // What the manifest promises (`supportsStatus`, `supportsCancel`, `supportsPreflight`,
    // `reversibleActionTypes`) stays true under the new id.
    ...(adapter.status ? { status: adapter.status.bind(adapter) } : {}),
    ...(adapter.cancel ? { cancel: adapter.cancel.bind(adapter) } : {}),
    ...(preflight ? { preflight: (action, ctx) => preflight.call(adapter, as(action), ctx) } : {}),
    ...(reverse
      ? { reverse: (action, reversal, ctx) => reverse.call(adapter, as(action), reversal, ctx) }
      : {}),
  };
}

/** The ids of the webhook adapters configured with `allowPrivateNetworks: true` (warned about at start). */
export function privateNetworkAdapters(configs: readonly AdapterConfig[]): string[] {
  return configs
    .filter((c) => c.type === 'webhook' && c.allowPrivateNetworks === true)
    .map((c) => c.id ?? c.type);
}
