import {
  type CheckpointKey,
  eventLeafHash,
  hexOf,
  MerkleAccumulator,
  signTreeHead,
  type TreeHead,
} from '@handoff/lineage';
import type { Digest } from '@handoff/protocol';
import { and, desc, eq, gt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { type Clock, toIso } from '../clock.js';
import { GatewayError } from '../errors.js';
import * as schema from '../store/sqlite/schema.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { WitnessFile } from './witness-file.js';

/** A signed checkpoint as stored in `lineage_checkpoints` (`signedAt` in epoch ms, `signature` the JWS). */
export interface CheckpointRecord {
  treeSize: number;
  rootHash: Digest;
  signedAt: number;
  kid: string;
  signature: string;
}

/** Options of {@link Checkpointer}. */
export interface CheckpointerOptions {
  /** The gateway's checkpoint signing key (see `importCheckpointKey`). */
  key: CheckpointKey;
  /** The signing gateway's id: in every tree head, and the tenant under which `checkpoint.signed` is recorded. */
  gatewayId: string;
  clock: Clock;
  /**
   * Where each signed tree head is also appended, outside the database (`checkpoints.witnessFile`). A head counts
   * as published only once it is in both: a failed witness write fails the checkpoint (nothing is stored) and it
   * is retried at the next one.
   */
  witness?: WitnessFile;
}

/**
 * Signs checkpoints of the lineage of one SQLite store: the RFC 9162 root over every event so far, signed (see
 * `signTreeHead`), stored in `lineage_checkpoints`, the public key remembered in `keys` (purpose `checkpoint`;
 * rows are never removed, so heads signed by a rotated key stay verifiable), and a `checkpoint.signed` event
 * (refs `root`; data `treeSize`, `kid`) appended in the same transaction. The first use of a kid is also recorded
 * as `control.key_registered`. Gateway-wide events are recorded under the gateway id as their tenant.
 *
 * The accumulator is kept in memory, so each checkpoint hashes only the events since the previous call; the
 * first call reads the whole lineage (about a second per million events) and refuses to sign when it no longer
 * matches an earlier checkpoint.
 */
export class Checkpointer {
  readonly #store: SqliteStore;
  readonly #options: CheckpointerOptions;
  #accumulator = new MerkleAccumulator();

  constructor(store: SqliteStore, options: CheckpointerOptions) {
    this.#store = store;
    this.#options = options;
  }

  /**
   * Signs a checkpoint of the lineage as it is now, unless nothing but the previous checkpoint's own event
   * happened since it.
   *
   * @returns the new checkpoint, or `undefined` when there was nothing new to sign.
   * @throws GatewayError `INTERNAL` when the stored lineage has a `seq` gap or no longer matches a stored
   *   checkpoint (it was altered: run `handoff lineage verify`), or the witness file cannot be appended to and
   *   synced; nothing is written to the database then.
   */
  checkpoint(): Promise<CheckpointRecord | undefined> {
    return this.#store.transaction(async (tx) => {
      const db = drizzle(this.#store.sqlite, { schema });
      this.#catchUp(db);
      const size = this.#accumulator.size;
      const latest = db
        .select()
        .from(schema.lineageCheckpoints)
        .orderBy(desc(schema.lineageCheckpoints.treeSize))
        .limit(1)
        .get();
      const head = db
        .select({ type: schema.lineageEvents.type })
        .from(schema.lineageEvents)
        .orderBy(desc(schema.lineageEvents.seq))
        .limit(1)
        .get();
      const onlyOwnEvent =
        size === (latest?.treeSize ?? 0) + 1 && head?.type === 'checkpoint.signed';
      if (size === 0 || size === latest?.treeSize || onlyOwnEvent) return undefined;

      const { key, gatewayId, clock } = this.#options;
      const now = clock.now();
      const rootHash: Digest = `sha256:${hexOf(this.#accumulator.root())}`;
      const treeHead: TreeHead = {
        kind: 'LineageTreeHead',
        gatewayId,
        treeSize: size,
        rootHash,
        signedAt: toIso(now),
      };
      const record: CheckpointRecord = {
        treeSize: size,
        rootHash,
        signedAt: now,
        kid: key.kid,
        signature: await signTreeHead(treeHead, key),
      };
      const known = db
        .select({ kid: schema.keys.kid })
        .from(schema.keys)
        .where(and(eq(schema.keys.purpose, 'checkpoint'), eq(schema.keys.kid, key.kid)))
        .get();
      await tx.rememberKey('checkpoint', key.kid, JSON.stringify(key.publicJwk), now);
      db.insert(schema.lineageCheckpoints).values(record).run();
      const base = { tenantId: gatewayId, actor: { type: 'system', id: 'checkpointer' } } as const;
      await tx.appendLineage([
        ...(known
          ? []
          : [
              {
                ...base,
                type: 'control.key_registered' as const,
                occurredAt: now,
                data: { purpose: 'checkpoint', kid: key.kid, alg: 'EdDSA' },
              },
            ]),
        {
          ...base,
          type: 'checkpoint.signed',
          occurredAt: now,
          refs: { root: rootHash },
          data: { treeSize: size, kid: key.kid, signedAt: treeHead.signedAt },
        },
      ]);
      // Last, inside the transaction: a failed write rolls the checkpoint back. A head written whose commit then
      // fails is harmless: it commits to events 1..treeSize, which stay.
      this.#options.witness?.append({
        kind: 'LineageTreeHead',
        treeSize: size,
        rootHash,
        signedAt: treeHead.signedAt,
        kid: key.kid,
        jws: record.signature,
      });
      return record;
    });
  }

  /**
   * Hashes the events appended since the last call, checking seq continuity and earlier checkpoints. Works on a
   * copy, kept only when every check passed.
   */
  #catchUp(db: ReturnType<typeof drizzle<typeof schema>>): void {
    const accumulator = this.#accumulator.clone();
    const from = accumulator.size;
    const expected = new Map(
      db
        .select({
          treeSize: schema.lineageCheckpoints.treeSize,
          root: schema.lineageCheckpoints.rootHash,
        })
        .from(schema.lineageCheckpoints)
        .where(gt(schema.lineageCheckpoints.treeSize, from))
        .all()
        .map((c) => [c.treeSize, c.root]),
    );
    const rows = this.#store.sqlite
      .prepare('select seq, hash from lineage_events where seq > ? order by seq')
      .raw()
      .iterate(from) as IterableIterator<[number, string]>;
    for (const [seq, hash] of rows) {
      if (seq !== accumulator.size + 1) {
        throw new GatewayError('INTERNAL', `The lineage has a gap before seq ${seq}`);
      }
      accumulator.push(eventLeafHash(hash));
      const root = expected.get(seq);
      if (root !== undefined && root !== `sha256:${hexOf(accumulator.root())}`) {
        throw new GatewayError(
          'INTERNAL',
          `The lineage no longer matches checkpoint ${seq}: refusing to sign over it`,
        );
      }
    }
    this.#accumulator = accumulator;
  }
}

/**
 * Signs a checkpoint every `intervalMs` milliseconds until stopped (the timer does not keep the process alive).
 * A failed checkpoint is reported to `onError` and retried at the next tick.
 */
export function startCheckpointing(
  checkpointer: { checkpoint(): Promise<unknown> },
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): void } {
  const timer = setInterval(() => {
    checkpointer.checkpoint().catch(onError);
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
