import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCheckpointKey } from '@handoff/lineage';
import type { JWK } from 'jose';
import { afterAll, expect, test, vi } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { WitnessFile } from '../../src/audit/witness-file.js';
import { ManualClock } from '../../src/clock.js';
import { openStore } from '../../src/store/open-store.js';
import { describePostgres, postgresUrlForTest } from '../support/postgres.js';
import { queryRows } from './replica-support.js';
import { expectHeadsConsistent } from './replica-witness.js';
import { appendEvents, runSequencerChild, witnessLines } from './sequencer-support.js';
import { tally } from './tally.js';

/**
 * Issue 15: "the sequencer replica killed mid-batch, another takes over within a few seconds, tree heads
 * consistent". Two replicas of the sequencer on one PostgreSQL database, each with its own pool and witness file:
 * a child process (one replica) runs a batch and is SIGKILLed inside its transaction (holding the
 * transaction-level advisory lock), between its commit and its witness append, or after both; the survivor (this
 * process, another pool) then sequences until nothing waits, polled with a bound (real processes). Every event
 * ends with exactly one log index (0..n-1 in insertion order), every stored head's root is the root of the first
 * treeSize leaves, and both witness files hold only heads the database proves, in increasing size.
 */

const AREA = 'replicas: sequencer failover';
/** How long the survivor may take to sequence what the killed replica left: "within a few seconds". */
const TAKEOVER_BOUND_MS = 10_000;
const killPoints = ['before-commit', 'before-witness', 'after-witness'] as const;

const dir = mkdtempSync(join(tmpdir(), 'handoff-replicas-sequencer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describePostgres('replicas: the sequencer killed mid-batch on PostgreSQL', () => {
  test('killed before its commit, before its witness append, after both: another replica takes over', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    const url = await postgresUrlForTest();
    const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-failover' });
    const keyFile = join(dir, 'checkpoint.jwk.json');
    writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
    const key = await importCheckpointKey(pair.privateJwk as JWK);
    const witnesses = { killed: join(dir, 'killed.jsonl'), survivor: join(dir, 'survivor.jsonl') };
    const store = await openStore({ url });
    const survivor = new Sequencer(store, {
      key,
      gatewayId: 'gw-failover',
      clock: new ManualClock('2026-12-07T18:00:00Z'),
      witness: new WitnessFile(witnesses.survivor),
    });
    let appended = 0;
    const append = async (n: number) => {
      await appendEvents(store, n, appended);
      appended += n;
    };
    try {
      await append(5);
      await survivor.sequenceAll();
      for (const killAt of killPoints) {
        t.tried();
        await append(9);
        expect(await runSequencerChild([url, witnesses.killed, keyFile, killAt])).toBe('SIGKILL');
        // The takeover: the survivor's rounds are skipped while the dead replica's transaction still holds the
        // lock (PostgreSQL ends it when it sees the connection gone), then it sequences what waits.
        await vi.waitFor(
          async () => {
            await survivor.sequence();
            const waiting = await queryRows<{ n: string }>(
              url,
              'select count(*) as n from lineage_events where log_index is null',
            );
            expect(Number(waiting[0]?.n)).toBe(0);
          },
          { timeout: TAKEOVER_BOUND_MS, interval: 50 },
        );
        await append(4);
        await survivor.sequenceAll();

        const heads = await expectHeadsConsistent(url, Object.values(witnesses), pair.publicJwk);
        // Every event is in the last head: the appended ones and the checkpoint key's registration.
        expect(heads.at(-1)).toBe(appended + 1);
        // The survivor's witness holds every stored head (it appends the ones it lacks first).
        expect(witnessLines(witnesses.survivor).map((l) => l.treeSize)).toEqual(heads);
        t.held();
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});
