import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { GENESIS_HASH, HandoffPlanSchema, planDigest } from '@handoff/protocol';
import Database from 'better-sqlite3';
import { removeDatabase } from './bench-gateway.js';
import { type Latency, LatencyRecorder, perSecond } from './stats.js';
import { benchPlan } from './workload.js';

/** What the floor measured. */
export interface FloorResult {
  plans: number;
  rowsPerPlan: number;
  plansPerSec: number;
  /** Process CPU time (user + system) per plan in the timed sections, ms. */
  cpuMsPerPlan: number;
  latency: Latency;
}

const CHUNK = 1000;

/**
 * The irreducible work of one handoff with the bare libraries, nothing of the gateway: zod parse of the plan
 * (the protocol's schema), its RFC 8785 digest, ONE Ed25519 verification with `node:crypto`, and ONE SQLite
 * transaction (better-sqlite3, WAL, `synchronous = NORMAL` like the gateway) writing `rowsPerPlan` hash-chained
 * lineage rows. Inputs (plans, signatures) are made before each timed chunk.
 */
export function runFloor(options: {
  plans: number;
  rowsPerPlan: number;
  dir: string;
}): FloorResult {
  const path = join(options.dir, 'floor.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE lineage (
    seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, plan_id TEXT, type TEXT NOT NULL,
    occurred_at INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL)`);
  db.exec('CREATE INDEX lineage_plan ON lineage (plan_id, seq)');
  const insert = db.prepare(
    'INSERT INTO lineage (tenant_id, plan_id, type, occurred_at, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  let head = GENESIS_HASH as string;
  const write = db.transaction((planId: string, digest: string, at: number) => {
    for (let i = 0; i < options.rowsPerPlan; i += 1) {
      const body = JSON.stringify({
        planId,
        digest,
        type: 'bench.event',
        index: i,
        at,
        prevHash: head,
      });
      const hash = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      insert.run('acme-bank', planId, 'bench.event', at, head, hash, body);
      head = hash;
    }
  });
  const timed = timePlans(options.plans, 0, (input) => {
    const parsed = HandoffPlanSchema.safeParse(input.plan);
    if (!parsed.success) throw new Error('the floor plan is invalid');
    const digest = planDigest(parsed.data);
    if (!input.verify()) throw new Error('bad signature');
    write(parsed.data.planId, digest, input.nowMs);
  });
  db.close();
  removeDatabase(path);
  return { plans: options.plans, rowsPerPlan: options.rowsPerPlan, ...timed };
}

/** One plan's input to a floor: the plan, and its approval's Ed25519 verification (one `node:crypto` verify). */
export interface FloorInput {
  plan: ReturnType<typeof benchPlan>;
  verify: () => boolean;
  nowMs: number;
}

/**
 * Times `handOff` over `plans` plans of run `run`, in chunks of 1,000 whose inputs (plans, signatures) are made
 * before the chunk's clock starts: throughput, process CPU per plan, and each hand-off's latency.
 */
export function timePlans(
  plans: number,
  run: number,
  handOff: (input: FloorInput) => void,
): Pick<FloorResult, 'plansPerSec' | 'cpuMsPerPlan' | 'latency'> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const latency = new LatencyRecorder();
  const nowMs = Date.now();
  let timedMs = 0;
  let cpuMicros = 0;
  for (let start = 0; start < plans; start += CHUNK) {
    const count = Math.min(CHUNK, plans - start);
    const inputs = Array.from({ length: count }, (_, i): FloorInput => {
      const plan = benchPlan(start + i, nowMs, { run });
      const message = Buffer.from(`${plan.planId}.approval`);
      const signature = sign(null, message, privateKey);
      return { plan, nowMs, verify: () => verify(null, message, publicKey, signature) };
    });
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    for (const input of inputs) {
      const t0 = performance.now();
      handOff(input);
      latency.record(performance.now() - t0);
    }
    timedMs += performance.now() - began;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMicros += cpu.user + cpu.system;
  }
  return {
    plansPerSec: perSecond(plans, timedMs),
    cpuMsPerPlan: Math.round((cpuMicros / 1000 / plans) * 1000) / 1000,
    latency: latency.summary(),
  };
}
