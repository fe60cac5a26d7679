import type { JWK } from 'jose';
import type { z } from 'zod';
import type { CopilotDirectory } from './approvals/approver-registry.js';
import {
  createKeySource,
  type KeySourceConfig,
  type KeySourceOptions,
} from './approvals/key-source.js';
import { createApiKeyAuthenticator } from './auth/api-keys.js';
import { type Authenticator, createAuthenticator } from './auth/authenticate.js';
import { createJwtAuthenticator } from './auth/jwt-bearer.js';
import type { Clock } from './clock.js';
import type { GatewayConfig, KeySourceConfigSchema } from './config/config-schema.js';
import { type LoadedConfig, resolveConfigPath } from './config/load-config.js';

/**
 * The copilot principals of the configuration's API key entries (per tenant), for separation of duties. JWT
 * principals cannot be listed ahead of time: they are checked as they present (a copilot never presents).
 */
export function copilotDirectory(config: GatewayConfig): CopilotDirectory {
  const copilots = new Set(
    (config.auth.apiKeys ?? [])
      .filter((entry) => entry.roles.includes('copilot'))
      .map((entry) => `${entry.tenantId}\u0000${entry.id}`),
  );
  return (tenantId, principalId) => copilots.has(`${tenantId}\u0000${principalId}`);
}

/** A config key source as `createKeySource` takes it: a file's path resolved against the config file's folder. */
export function keySourceConfig(
  loaded: LoadedConfig,
  source: z.infer<typeof KeySourceConfigSchema>,
): KeySourceConfig {
  switch (source.type) {
    case 'file':
      return { ...source, path: resolveConfigPath(loaded, source.path) };
    case 'inline':
      return { type: 'inline', jwks: { keys: source.jwks.keys as JWK[] } };
    case 'url':
      return source;
  }
}

/**
 * The authenticator of the config's `auth` section: its API key entries (`auth.apiKeys`) and its JWT bearer
 * issuer (`auth.jwt`, verified with the keys of its `jwks` key source, fetched and cached per `keyOptions`).
 *
 * @throws GatewayError `CONFIG_INVALID` (no authentication method, bad API key entries or key source).
 */
export function runtimeAuthenticator(
  loaded: LoadedConfig,
  clock: Clock,
  keyOptions: KeySourceOptions,
): Authenticator {
  const { config } = loaded;
  const jwt = config.auth.jwt;
  return createAuthenticator({
    ...(config.auth.apiKeys ? { apiKeys: createApiKeyAuthenticator(config.auth.apiKeys) } : {}),
    ...(jwt
      ? {
          jwt: createJwtAuthenticator({
            issuer: jwt.issuer,
            audience: jwt.audience,
            getKey: createKeySource(keySourceConfig(loaded, jwt.jwks), keyOptions).getKey,
            clock,
            ...(jwt.tenantClaim ? { tenantClaim: jwt.tenantClaim } : {}),
            ...(jwt.rolesClaim ? { rolesClaim: jwt.rolesClaim } : {}),
          }),
        }
      : {}),
  });
}
