import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const SCRIPT = resolve(import.meta.dirname, '../../../../scripts/postgres-cluster.mjs');

/**
 * The `gateway-postgres` project's globalSetup: when `HANDOFF_TEST_POSTGRES_URL` is unset, starts a throwaway
 * cluster (`scripts/postgres-cluster.mjs`, fsync off) for the run and stops it after; provides its URL, or why
 * there is none (no binaries, start failed), to `test/support/postgres.ts`.
 */
export default function setup(project: TestProject): (() => void) | undefined {
  const fromEnv = process.env.HANDOFF_TEST_POSTGRES_URL;
  if (fromEnv) {
    project.provide('handoffPostgres', { url: fromEnv });
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'handoff-postgres-'));
  const cluster = (command: 'start' | 'stop', ...flags: string[]) =>
    execFileSync(process.execPath, [SCRIPT, command, dir, ...flags], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  try {
    project.provide('handoffPostgres', { url: cluster('start', '--no-fsync') });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    try {
      cluster('stop');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    project.provide('handoffPostgres', { unavailable: stderr || String(error) });
    return undefined;
  }
  return () => {
    cluster('stop');
  };
}
