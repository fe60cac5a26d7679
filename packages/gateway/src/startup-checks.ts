import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { z } from 'zod';
import { createKeySource } from './approvals/key-source.js';
import { checkpointKeyFromConfig } from './audit/checkpoint-config.js';
import { systemClock } from './clock.js';
import type { KeySourceConfigSchema } from './config/config-schema.js';
import type { LoadedConfig } from './config/load-config.js';
import { adaptersFromConfig } from './dispatch/adapters-config.js';
import { GatewayError, type ProtocolIssueLike } from './errors.js';
import { policyPackParts } from './policy-pack-runtime.js';
import { keySourceConfig } from './runtime-auth.js';

/** Options of {@link checkStartup}. */
export interface StartupCheckOptions {
  /** Where the config's adapters read their secrets. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Skip building the config's adapters (the caller brings its own instances). */
  skipAdapters?: boolean;
  /** Also check that `listen.host`:`listen.port` can be bound now (a fixed port only; port 0 always can). */
  listen?: boolean;
}

type KeySourceEntry = z.infer<typeof KeySourceConfigSchema>;

/** The issues of a thrown error, each under `path` unless it names its own (a GatewayError's issues do). */
function issuesOf(error: unknown, path: string, code: string): ProtocolIssueLike[] {
  if (error instanceof GatewayError && error.issues.length > 0) return [...error.issues];
  const message = error instanceof Error ? error.message : String(error);
  return [{ path, code, message }];
}

/**
 * One key source entry: well-formed (a URL source's URL, an inline JWKS), and a file source's file readable as a
 * JWK Set now (the gateway reads it again when it needs it, so a rotation on disk is still picked up).
 */
function entryIssues(
  loaded: LoadedConfig,
  entry: KeySourceEntry,
  path: string,
): ProtocolIssueLike[] {
  try {
    const config = keySourceConfig(loaded, entry);
    createKeySource(config);
    if (config.type !== 'file') return [];
    let text: string;
    try {
      text = readFileSync(config.path, 'utf8');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      return [
        {
          path: `${path}/path`,
          code: 'FILE_UNREADABLE',
          message: `Cannot read the key file ${config.path} (${why})`,
        },
      ];
    }
    try {
      createKeySource({ type: 'inline', jwks: JSON.parse(text) });
    } catch (error) {
      const message = error instanceof Error ? error.message : 'not JSON';
      return [
        {
          path: `${path}/path`,
          code: 'KEY_FILE_INVALID',
          message: `The key file ${config.path} is not a usable JWK Set: ${message}`,
        },
      ];
    }
    return [];
  } catch (error) {
    return issuesOf(error, path, 'KEY_SOURCE_INVALID');
  }
}

/** Every key source the config names: approver keys, copilot provenance keys, the JWT issuer's JWKS. */
export function keySourceIssues(loaded: LoadedConfig): ProtocolIssueLike[] {
  const { config } = loaded;
  const issues: ProtocolIssueLike[] = [];
  config.approvals.keys?.forEach((entry, i) => {
    issues.push(...entryIssues(loaded, entry, `/approvals/keys/${i}`));
  });
  config.provenance?.copilotKeys.forEach((entry, i) => {
    issues.push(...entryIssues(loaded, entry, `/provenance/copilotKeys/${i}`));
  });
  if (config.auth.jwt) {
    issues.push(...entryIssues(loaded, config.auth.jwt.jwks, '/auth/jwt/jwks'));
  }
  return issues;
}

/**
 * Whether `host`:`port` can be bound now: listens and closes at once. Port 0 (any free port) is not checked.
 *
 * @returns the issue at `/listen/port` (`PORT_IN_USE`, `LISTEN_FAILED`) or `undefined`.
 */
export async function listenIssue(loaded: LoadedConfig): Promise<ProtocolIssueLike | undefined> {
  const port = loaded.config.listen?.port ?? 0;
  if (port === 0) return undefined;
  const host = loaded.config.listen?.host ?? '127.0.0.1';
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const inUse = error.code === 'EADDRINUSE';
      resolve({
        path: '/listen/port',
        code: inUse ? 'PORT_IN_USE' : 'LISTEN_FAILED',
        message: inUse
          ? `Port ${port} on ${host} is already in use`
          : `Cannot listen on ${host}:${port} (${error.code ?? error.message})`,
      });
    });
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

/**
 * Every configuration problem that can be found before the gateway opens its database or serves: the adapters
 * build (their environment variables are set, their URLs and options are valid), every key source is well-formed
 * and every key file readable as a JWK Set, the checkpoint key file is a private Ed25519 JWK, and (with
 * `listen`) the configured port is free. Reads files; writes nothing, opens no database.
 *
 * @throws GatewayError `CONFIG_INVALID` with one issue per problem, each at its JSON path in the config (e.g.
 *   `ENV_MISSING` at `/adapters/0/signingSecretEnv`, `FILE_UNREADABLE` at `/approvals/keys/0/path`,
 *   `UNREADABLE` at `/checkpoints/keyFile`, `PORT_IN_USE` at `/listen/port`, `UNREADABLE` at
 *   `/suppressionLists/0/file`, `MISSING_SECRET` at `/notifications/receivers/0/signingSecretEnv`).
 */
export async function checkStartup(
  loaded: LoadedConfig,
  options: StartupCheckOptions = {},
): Promise<void> {
  const issues: ProtocolIssueLike[] = [];
  if (!options.skipAdapters) {
    loaded.config.adapters?.forEach((adapter, i) => {
      try {
        adaptersFromConfig([adapter], options.env);
      } catch (error) {
        // Built one at a time, so each issue is re-pointed at its own index.
        issues.push(
          ...issuesOf(error, `/adapters/${i}`, 'ADAPTER_INVALID').map((issue) => ({
            ...issue,
            path: issue.path.replace(/^\/adapters\/0(?=\/|$)/, `/adapters/${i}`),
          })),
        );
      }
    });
  }
  issues.push(...keySourceIssues(loaded));
  try {
    // Suppression list files and notification receivers' secrets (the first problem, at its path).
    policyPackParts(loaded, { clock: systemClock, ...(options.env ? { env: options.env } : {}) });
  } catch (error) {
    issues.push(...issuesOf(error, '/suppressionLists', 'UNREADABLE'));
  }
  try {
    await checkpointKeyFromConfig(loaded);
  } catch (error) {
    issues.push(...issuesOf(error, '/checkpoints/keyFile', 'KEY_FILE_INVALID'));
  }
  if (options.listen) {
    const issue = await listenIssue(loaded);
    if (issue) issues.push(issue);
  }
  if (issues.length === 0) return;
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new GatewayError(
    'CONFIG_INVALID',
    `${first?.message ?? 'Invalid configuration'} at ${first?.path ?? '/'}${more}`,
    { issues },
  );
}
