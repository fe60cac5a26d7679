import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayStore } from '../../src/store/store.js';

/*
 * What the sequencer crash tests share: events appended one transaction each, the sequencer child process run to
 * its kill, and the heads of a witness file.
 */

const CHILD = join(new URL('.', import.meta.url).pathname, 'sequencer-child.ts');
const PLANS = ['019a8f2e-5c4b-7d3e-9a1f-00000000000a', '019a8f2e-5c4b-7d3e-9a1f-00000000000b'];

/** Appends events `from`..`from + n - 1` of tenant `acme`, one transaction each: two in three in a plan chain. */
export async function appendEvents(store: GatewayStore, n: number, from: number): Promise<void> {
  for (let i = from; i < from + n; i += 1) {
    await store.transaction((tx) =>
      tx.appendLineage([
        {
          tenantId: 'acme',
          ...(i % 3 === 2 ? {} : { planId: PLANS[i % 2] }),
          type: 'plan.received',
          actor: { type: 'copilot', id: 'c' },
          occurredAt: 1_000 + i,
          data: { n: i },
        },
      ]),
    );
  }
}

/**
 * Runs `sequencer-child.ts` with `args` (database, witness file, key file, kill point) to its kill; resolves
 * with the signal that ended it, rejects when it exited on its own.
 */
export function runSequencerChild(args: string[]): Promise<NodeJS.Signals | null> {
  const child = spawn(
    process.execPath,
    ['--conditions=@handoff/source', '--import', 'tsx', CHILD, ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (signal === null) reject(new Error(`sequencer child exited ${code}: ${err}`));
      else resolve(signal);
    });
  });
}

/** One line of a witness file, as far as the tests read it. */
export interface WitnessedHead {
  treeSize: number;
  rootHash: string;
  jws: string;
}

/** The heads of a witness file (none when the file is missing: a replica that never wrote one). */
export function witnessLines(path: string): WitnessedHead[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as WitnessedHead);
}
