import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { KEEP_CLI, type KeepFacts, keepCommands, keepObservability } from './keep-hints.js';
import { REPO_ROOT } from './story-gateway.js';

const facts: KeepFacts = {
  url: 'http://127.0.0.1:43210',
  dir: '.handoff/bank-campaign',
  db: '.handoff/bank-campaign/gateway.db',
  planId: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f71',
  apiKeys: { auditor: 'hk_auditor', operator: 'hk_operator', copilot: 'hk_copilot' },
};

/** `handoff <path> --help` from the working tree (source, no build): its output, or a rejection. */
async function help(path: string[]): Promise<string> {
  const bin = join(REPO_ROOT, 'packages/gateway/bin/handoff.mjs');
  const args = ['--conditions=@handoff/source', '--import', 'tsx', bin, ...path, '--help'];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT });
  return stdout;
}

describe('pnpm demo --keep hints', () => {
  test('say where the metrics are (/metrics on the gateway URL) and how traces are turned on', () => {
    const [metrics, traces] = keepObservability(facts);
    expect(metrics).toMatch(/^metrics: curl http:\/\/127\.0\.0\.1:43210\/metrics /);
    expect(traces).toMatch(
      /^traces: off unless configured: "observability": \{ "tracing": \{ "enabled": true/,
    );
  });

  test('every CLI line names a command and options the CLI has', async () => {
    const lines = keepCommands(facts).filter((l) => l.startsWith(KEEP_CLI));
    expect(lines.map((l) => l.split(' ').slice(2, 4).join(' '))).toContain('db backup');
    for (const line of lines) {
      const words = line.slice(KEEP_CLI.length + 1).split(' ');
      const path = words.slice(0, 2);
      const text = await help(path);
      for (const option of words.filter((w) => w.startsWith('--'))) {
        expect(text, `${line}: ${option}`).toContain(option);
      }
    }
  }, 60_000);
});
