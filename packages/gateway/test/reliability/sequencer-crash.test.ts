import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventLeafHash,
  hexOf,
  importCheckpointKey,
  merkleRoot,
  verifyTreeHead,
} from '@handoff/lineage';
import type { JWK } from 'jose';
import { describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { WitnessFile } from '../../src/audit/witness-file.js';
import { ManualClock } from '../../src/clock.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { appendEvents, runSequencerChild, witnessLines } from './sequencer-support.js';
import { tally } from './tally.js';

/**
 * Issue 14: "a log whose sequencer died mid-batch recovers with no event lost or sequenced twice". A real process
 * runs one batch and is SIGKILLed inside the batch's transaction (before its commit), between its commit and the
 * witness append, or after both; a new sequencer then takes over the same database and witness file. Every event
 * ends with exactly one log index (0..n-1 in insertion order), and every head the witness file ever held is
 * proved by the database: its signature verifies and the root of the first treeSize leaves is its root.
 */

const AREA = 'lineage: sequencer crash';

const killPoints = ['before-commit', 'before-witness', 'after-witness'] as const;

describe('lineage: sequencer killed mid-batch', () => {
  test.for(killPoints)(
    'killed %s: nothing lost, nothing sequenced twice, the witness always provable',
    async (killAt, { task }) => {
      const t = tally(task, AREA);
      const dir = mkdtempSync(join(tmpdir(), 'handoff-sequencer-crash-'));
      const database = join(dir, 'gateway.db');
      const witnessPath = join(dir, 'witness.jsonl');
      const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-crash' });
      const keyFile = join(dir, 'checkpoint.jwk.json');
      writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
      const key = await importCheckpointKey(pair.privateJwk as JWK);
      const clock = new ManualClock('2026-12-07T18:00:00Z');
      const sequencerOf = (store: SqliteStore) =>
        new Sequencer(store, {
          key,
          gatewayId: 'gw-crash',
          clock,
          witness: new WitnessFile(witnessPath),
        });

      // A first batch, witnessed; then more events, and the child dies during the next batch.
      let store = openSqliteStore({ path: database });
      await appendEvents(store, 7, 0);
      const first = await sequencerOf(store).sequence();
      await appendEvents(store, 9, 7);
      await store.close();
      t.tried();
      expect(await runSequencerChild([database, witnessPath, keyFile, killAt])).toBe('SIGKILL');

      store = openSqliteStore({ path: database });
      const stored = () =>
        store.sqlite
          .prepare('select tree_size from lineage_checkpoints order by tree_size')
          .pluck()
          .all();
      const witnessed = () => witnessLines(witnessPath).map((l) => l.treeSize);
      // What the kill left: the witness never ahead of the database.
      const firstSize = first?.treeSize ?? 0;
      // The child's batch: the 9 new events (the key was recorded in the first batch).
      const killedSize = firstSize + 9;
      if (killAt === 'before-commit') {
        expect(stored()).toEqual([firstSize]);
        expect(witnessed()).toEqual([firstSize]);
      } else if (killAt === 'before-witness') {
        expect(stored()).toEqual([firstSize, killedSize]);
        expect(witnessed()).toEqual([firstSize]);
      } else {
        expect(stored()).toEqual([firstSize, killedSize]);
        expect(witnessed()).toEqual([firstSize, killedSize]);
      }

      // A new sequencer takes over, with more events arriving.
      await appendEvents(store, 4, 16);
      const recovered = sequencerOf(store);
      const last = await recovered.sequenceAll();
      const events = store.sqlite
        .prepare('select id, log_index as logIndex, hash from lineage_events order by id')
        .all() as { id: number; logIndex: number | null; hash: string }[];
      expect(events.map((e) => e.logIndex)).toEqual(events.map((_, i) => i));
      expect(last?.treeSize).toBe(events.length);

      const lines = witnessLines(witnessPath);
      expect(lines.map((l) => l.treeSize)).toEqual(stored());
      const recorded = (kid: string) => (kid === key.kid ? key.publicJwk : undefined);
      for (const line of lines) {
        const leaves = events.slice(0, line.treeSize).map((e) => eventLeafHash(e.hash));
        expect(line.rootHash).toBe(`sha256:${hexOf(merkleRoot(leaves))}`);
        expect(await verifyTreeHead(line.jws, recorded)).toMatchObject({
          ok: true,
          head: { treeSize: line.treeSize, rootHash: line.rootHash },
        });
      }
      await store.close();
      t.held();
    },
  );
});
