import {
  type AutomationAdapter,
  createGoogleAdsAdapter,
  createMetaAdapter,
} from '@handoff/automation-adapter';
import { IdentifierSchema } from '@handoff/protocol';
import { z } from 'zod';
import { EnvNameSchema, HttpUrlSchema, TimeoutSchema } from './adapter-config-fields.js';

const CustomerIdSchema = z
  .string()
  .regex(/^\d{3}-?\d{3}-?\d{4}$/)
  .meta({ description: 'A Google Ads customer id, 10 digits, dashes allowed (123-456-7890).' });

/**
 * `google_ads`: the Google Ads API (REST) for one account: `customerId`, the developer token and an OAuth access
 * token from the environment, `loginCustomerId` when reached through a manager account; `baseUrl` defaults to
 * `https://googleads.googleapis.com` (a local fake in tests).
 */
export const GoogleAdsConfigSchema = z.strictObject({
  type: z.literal('google_ads'),
  id: IdentifierSchema.optional(),
  customerId: CustomerIdSchema,
  loginCustomerId: CustomerIdSchema.optional(),
  developerTokenEnv: EnvNameSchema,
  accessTokenEnv: EnvNameSchema.meta({
    description:
      'Environment variable holding an OAuth 2.0 access token with the adwords scope (Authorization: Bearer).',
  }),
  baseUrl: HttpUrlSchema.optional(),
  timeoutMs: TimeoutSchema,
  billableUnitMicros: z
    .record(z.string().regex(/^[A-Z]{3}$/), z.int().min(1).max(1_000_000_000))
    .optional()
    .meta({
      description:
        "Billable units in micros per currency, where Google Ads' currency_constant gives more than one minor unit.",
    }),
});

/**
 * `meta`: the Meta Marketing API for one ad account (`adAccountId`, `act_` optional) with a system-user access
 * token from the environment; `baseUrl` defaults to `https://graph.facebook.com`.
 */
export const MetaConfigSchema = z.strictObject({
  type: z.literal('meta'),
  id: IdentifierSchema.optional(),
  adAccountId: z
    .string()
    .regex(/^(act_)?\d{1,20}$/)
    .meta({ description: 'The ad account: act_ and digits, or the digits.' }),
  accessTokenEnv: EnvNameSchema.meta({
    description: 'Environment variable holding an access token with ads_management.',
  }),
  baseUrl: HttpUrlSchema.optional(),
  timeoutMs: TimeoutSchema,
});

type GoogleAdsConfig = z.infer<typeof GoogleAdsConfigSchema>;
type MetaConfig = z.infer<typeof MetaConfigSchema>;

/**
 * Builds a Google Ads or Meta adapter from its config entry; `secret(name, field)` reads an environment variable
 * (throwing the config error of an unset one at `field`).
 */
export function buildAdAdapter(
  config: GoogleAdsConfig | MetaConfig,
  secret: (name: string, field: string) => string,
): AutomationAdapter {
  const common = {
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
  };
  if (config.type === 'meta') {
    return createMetaAdapter({
      adAccountId: config.adAccountId,
      accessToken: secret(config.accessTokenEnv, 'accessTokenEnv'),
      ...common,
    });
  }
  return createGoogleAdsAdapter({
    customerId: config.customerId,
    developerToken: secret(config.developerTokenEnv, 'developerTokenEnv'),
    accessToken: secret(config.accessTokenEnv, 'accessTokenEnv'),
    ...(config.loginCustomerId ? { loginCustomerId: config.loginCustomerId } : {}),
    ...(config.billableUnitMicros ? { billableUnitMicros: config.billableUnitMicros } : {}),
    ...common,
  });
}
