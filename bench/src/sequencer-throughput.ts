import {
  createGatewayRuntime,
  type GatewayRuntime,
  generateSigningKeyPair,
  importCheckpointKey,
  type LineageDraft,
  Sequencer,
  startSequencing,
  systemClock,
  validateConfig,
} from '@handoff/gateway';
import { benchSetup } from './bench-gateway.js';
import { type Latency, LatencyRecorder, perSecond } from './stats.js';
import { BENCH_GATEWAY_ID, TENANT } from './workload.js';

/** The runtime's store (the gateway's package exports the runtime, not the store interface). */
type GatewayStore = GatewayRuntime['store'];

/** The sequencer's interval in production (`checkpoints.intervalMs` default), ms; max merge delay is 4x. */
export const SEQUENCE_INTERVAL_MS = 250;
/** The stated maximum merge delay: 4 x the interval (see `audit/sequencer.ts`, config `checkpoints`). */
export const MAX_MERGE_DELAY_MS = 4 * SEQUENCE_INTERVAL_MS;
/** Events per batch (the `checkpoints.maxBatch` default). */
const MAX_BATCH = 1_000;

/** What one sequencer did on one store. */
export interface SequencerResult {
  store: 'sqlite' | 'postgres';
  /** Events waiting, then sequenced by `sequenceAll` (batches of 1,000, one signed head each). */
  events: number;
  eventsPerSec: number;
  /** This process's CPU per event while sequencing (the sequencer's own work, not the database server's), ms. */
  cpuMsPerEvent: number;
  /** Commit of an event to the commit of the first signed head covering it, events paced at `pacedEventsPerSec`. */
  inclusion: Latency;
  pacedEventsPerSec: number;
  /** Events/s the serial committer reached (below `pacedEventsPerSec` when commits could not keep up). */
  committedEventsPerSec: number;
  /**
   * PostgreSQL transactions of the inclusion run, committed and rolled back (attempts of the committer or
   * the sequencer the store ran again); undefined on SQLite.
   */
  inclusionTransactions: { commits: number; rollbacks: number } | undefined;
}

/** A runtime of the benchmark config on `database`: its store opened as the gateway opens it (migrations run). */
async function openBenchStore(database: { path: string } | { url: string }, path: string) {
  const setup = await benchSetup(path);
  setup.config.database = database;
  return createGatewayRuntime(validateConfig(setup.config, process.cwd()));
}

/** Event `n` of plan `plan` (a plan's chain; plans default to 97 taking turns). */
function draft(n: number, plan = n % 97): LineageDraft {
  return {
    tenantId: TENANT,
    planId: `seq-plan-${plan}`,
    type: 'plan.received',
    actor: { type: 'copilot', id: 'copilot-1' },
    occurredAt: Date.now(),
    data: { n },
  };
}

async function sequencerOn(store: GatewayStore): Promise<Sequencer> {
  const pair = await generateSigningKeyPair({ alg: 'EdDSA' });
  const key = await importCheckpointKey(pair.privateJwk);
  return new Sequencer(store, { key, gatewayId: BENCH_GATEWAY_ID, clock: systemClock });
}

/**
 * Throughput: `events` committed unsequenced events (appended 500 per transaction beforehand), then the time of
 * `sequenceAll` (batches of 1,000: log indexes, the RFC 9162 tree, one EdDSA-signed head per batch).
 */
async function throughput(store: GatewayStore, events: number) {
  for (let n = 0; n < events; n += 500) {
    const drafts = Array.from({ length: Math.min(500, events - n) }, (_, i) => draft(n + i));
    await store.transaction((tx) => tx.appendLineage(drafts));
  }
  const sequencer = await sequencerOn(store);
  const cpu = process.cpuUsage();
  const began = performance.now();
  await sequencer.sequenceAll();
  const ms = performance.now() - began;
  const used = process.cpuUsage(cpu);
  // The key's first head also recorded `control.key_registered`: one event more than appended.
  const sequenced = sequencer.treeSize;
  return {
    eventsPerSec: perSecond(sequenced, ms),
    cpuMsPerEvent: Math.round(((used.user + used.system) / 1000 / sequenced) * 10_000) / 10_000,
  };
}

/**
 * Commit-to-inclusion: the production sequencing loop (`startSequencing`, every 250 ms or 1,000 waiting events)
 * while this process commits `eventsPerSec` events for `seconds`, `perCommit` events per transaction (a plan's
 * transaction writes several). Commits are serial, so commit order is log order: the k-th event gets log index
 * `base + k`, and its inclusion time is from its commit to the commit of the first head of size > that index.
 */
async function inclusion(
  store: GatewayStore,
  options: { eventsPerSec: number; perCommit: number; seconds: number },
): Promise<{ latency: Latency; committedEventsPerSec: number }> {
  const sequencer = await sequencerOn(store);
  await store.transaction((tx) => tx.appendLineage([draft(0)]));
  await sequencer.sequenceAll();
  const base = sequencer.treeSize;
  const heads: { size: number; at: number }[] = [];
  /** The first failed batch: reported after the run (the loop itself retries at the next tick). */
  let failure: unknown;
  let covered: (() => void) | undefined;
  let target = Number.POSITIVE_INFINITY;
  const timed = {
    get lastBatchSize() {
      return sequencer.lastBatchSize;
    },
    async sequence() {
      const head = await sequencer.sequence();
      if (head) heads.push({ size: head.treeSize, at: performance.now() });
      if (head && head.treeSize >= target) covered?.();
      return head;
    },
  };
  const loop = startSequencing(
    timed,
    { intervalMs: SEQUENCE_INTERVAL_MS, maxBatch: MAX_BATCH },
    (error) => {
      failure ??= error;
    },
  );
  store.onLineageAppended(loop.notify);
  const committedAt: number[] = [];
  const began = performance.now();
  const total = Math.max(1, Math.round(options.eventsPerSec * options.seconds));
  const gapMs = (1000 * options.perCommit) / options.eventsPerSec;
  for (let k = 0; k < total; k += options.perCommit) {
    const due = began + (k / options.perCommit) * gapMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const count = Math.min(options.perCommit, total - k);
    // One plan's events per transaction, as the pipeline commits them (one chain head to read and lock).
    const plan = k / options.perCommit;
    await store.transaction((tx) =>
      tx.appendLineage(Array.from({ length: count }, (_, i) => draft(k + i, plan))),
    );
    const at = performance.now();
    for (let i = 0; i < count; i += 1) committedAt.push(at);
  }
  const committedEventsPerSec = perSecond(total, performance.now() - began);
  target = base + total;
  const last = heads.at(-1)?.size ?? 0;
  if (last < target) {
    await new Promise<void>((resolve, reject) => {
      covered = resolve;
      const timeout = () => reject(failure ?? new Error('events not sequenced within 10 s'));
      setTimeout(timeout, 10_000).unref();
    });
  }
  await loop.stop();
  if (failure !== undefined) throw failure;
  const latency = new LatencyRecorder();
  let h = 0;
  committedAt.forEach((at, k) => {
    while ((heads[h]?.size ?? Number.POSITIVE_INFINITY) <= base + k) h += 1;
    latency.record((heads[h]?.at ?? at) - at);
  });
  return { latency: latency.summary(), committedEventsPerSec };
}

/** Sequencer throughput then commit-to-inclusion on a fresh store each, on `database`. */
export async function runSequencer(options: {
  store: 'sqlite' | 'postgres';
  database: (name: string) => { path: string } | { url: string };
  path: (name: string) => string;
  events: number;
  pacedEventsPerSec: number;
  perCommit: number;
  seconds: number;
  /** Transactions so far in the database `database(name)` made (PostgreSQL), read once its store is closed. */
  transactions?: (name: string) => { commits: number; rollbacks: number };
}): Promise<SequencerResult> {
  const first = await openBenchStore(
    options.database('seq_throughput'),
    options.path('seq-throughput'),
  );
  const speed = await throughput(first.store, options.events).finally(() => first.close());
  const second = await openBenchStore(
    options.database('seq_inclusion'),
    options.path('seq-inclusion'),
  );
  const paced = { eventsPerSec: options.pacedEventsPerSec, ...options };
  const inclusionRun = await inclusion(second.store, paced).finally(() => second.close());
  return {
    store: options.store,
    events: options.events,
    ...speed,
    inclusion: inclusionRun.latency,
    pacedEventsPerSec: options.pacedEventsPerSec,
    committedEventsPerSec: inclusionRun.committedEventsPerSec,
    inclusionTransactions: options.transactions?.('seq_inclusion'),
  };
}
