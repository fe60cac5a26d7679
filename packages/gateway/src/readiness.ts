import type { ReadyCheck, ReadyReport } from './api/ready-route.js';
import type { LoadedConfig } from './config/load-config.js';
import type { GatewayRuntime } from './runtime.js';
import { keySourceIssues } from './startup-checks.js';

/** Whether the store takes a write now (its `health()`: an empty write transaction, committed). */
async function databaseCheck(runtime: GatewayRuntime): Promise<ReadyCheck> {
  const health = await runtime.store.health();
  if (health.status === 'writable') return { name: 'database', ok: true };
  if (health.status === 'read-only')
    return { name: 'database', ok: false, message: health.message };
  return {
    name: 'database',
    ok: false,
    message: `The database is not writable: ${health.message}`,
  };
}

/** Whether every key source of the config still reads (a key file deleted since start shows here). */
function keySourcesCheck(loaded: LoadedConfig): ReadyCheck {
  const issues = keySourceIssues(loaded);
  if (issues.length === 0) return { name: 'keySources', ok: true };
  const message = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return { name: 'keySources', ok: false, message };
}

/**
 * The readiness of a serving gateway, as `GET /ready` reports it: the database takes a write, every configured
 * key source (approver keys, copilot keys, JWT issuer keys) is well-formed and its file readable, and the gateway
 * is not shutting down. Names files and paths, never keys.
 */
export async function readinessOf(
  runtime: GatewayRuntime,
  shuttingDown: () => boolean,
): Promise<ReadyReport> {
  const checks: ReadyCheck[] = [
    await databaseCheck(runtime),
    keySourcesCheck(runtime.loaded),
    shuttingDown()
      ? { name: 'shuttingDown', ok: false, message: 'The gateway is shutting down' }
      : { name: 'shuttingDown', ok: true },
  ];
  return { ready: checks.every((c) => c.ok), checks };
}
