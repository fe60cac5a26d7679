import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { toJsonPointer } from '@handoff/protocol';
import { parse as parseYaml } from 'yaml';
import { GatewayError } from '../errors.js';
import { loadPolicySet, type PolicySet } from '../policy/policy-set.js';
import { type GatewayConfig, GatewayConfigSchema } from './config-schema.js';

/** A configuration with its file's folder, to resolve relative paths, and its loaded policy set. */
export interface LoadedConfig {
  config: GatewayConfig;
  baseDir: string;
  policySet: PolicySet;
  /** The `shadowPolicy` set, when one is configured. */
  shadowPolicySet?: PolicySet;
}

/** Resolves a path from the config against the config file's folder (`:memory:` stays as it is). */
export function resolveConfigPath(loaded: Pick<LoadedConfig, 'baseDir'>, path: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolve(loaded.baseDir, path);
}

function parseText(text: string, file: string): unknown {
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text, { uniqueKeys: true }) : JSON.parse(text);
  } catch (error) {
    throw new GatewayError(
      'CONFIG_INVALID',
      `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}`,
      {
        issues: [{ path: '', code: 'INVALID_SYNTAX', message: (error as Error).message }],
      },
    );
  }
}

/**
 * Validates a configuration value (already parsed) with path-precise issues, and loads its policy set.
 *
 * @throws GatewayError `CONFIG_INVALID` with `issues: { path (JSON Pointer), code, message }[]`, or when the
 *   policy file is unreadable or invalid (its issues prefixed with `/policy`).
 */
export function validateConfig(value: unknown, baseDir: string): LoadedConfig {
  const result = GatewayConfigSchema.safeParse(value, { reportInput: true });
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({
      path: toJsonPointer(i.path),
      code: i.code.toUpperCase(),
      message: i.message,
    }));
    const first = issues[0];
    throw new GatewayError(
      'CONFIG_INVALID',
      `Invalid configuration: ${first?.path || '/'} ${first?.message ?? ''}`,
      {
        issues,
      },
    );
  }
  const config = result.data;
  const policySet = loadPolicyEntry(config.policy, baseDir, '/policy');
  const shadowPolicySet = config.shadowPolicy
    ? loadPolicyEntry(config.shadowPolicy, baseDir, '/shadowPolicy')
    : undefined;
  return { config, baseDir, policySet, ...(shadowPolicySet ? { shadowPolicySet } : {}) };
}

/** A policy set given inline or as a file. @throws GatewayError `CONFIG_INVALID` with issues under `at`. */
function loadPolicyEntry(
  entry: GatewayConfig['policy'],
  baseDir: string,
  at: '/policy' | '/shadowPolicy',
): PolicySet {
  try {
    if ('inline' in entry) return entry.inline;
    return loadPolicySet(readFileSync(resolveConfigPath({ baseDir }, entry.file), 'utf8'));
  } catch (error) {
    const issues =
      error instanceof GatewayError
        ? error.issues.map((i) => ({ ...i, path: `${at}${i.path}` }))
        : [{ path: `${at}/file`, code: 'UNREADABLE', message: (error as Error).message }];
    throw new GatewayError('CONFIG_INVALID', 'The policy set cannot be loaded', {
      issues,
      cause: error,
    });
  }
}

/** Reads and validates `handoff.config.json` / `.yaml`. @throws GatewayError `CONFIG_INVALID`. */
export function loadConfigFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new GatewayError('CONFIG_INVALID', `Cannot read ${file}`, {
      issues: [{ path: '', code: 'UNREADABLE', message: (error as Error).message }],
    });
  }
  return validateConfig(parseText(text, file), dirname(resolve(file)));
}
