import type { JsonWebKey } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { perSecond } from './stats.js';

/**
 * The physical limit of offline verification (issue 14), measured on the lineage being verified, in the same run:
 * one SHA-256 per event (over its stored body: the bytes the verifier hashes, plus its `"hash"` member), one per
 * RFC 9162 leaf and one per tree node (a log of n leaves has n - 1 nodes), and one Ed25519 verification per
 * approval token, on every core (`availableParallelism()` worker threads, each over an equal share of the events
 * and of the tokens, reading the file memory-mapped as the verifier does). Nothing else: no parse, no RFC 8785, no
 * comparison. Its rate is
 *
 *   events/s = cores / (t_read + t_SHA256(body) + t_SHA256(33 B) + t_SHA256(65 B) + (approvals / events) x t_Ed25519)
 *
 * measured, not computed. The second measure, `canonical`, is the part of the verifier's work that the limit does
 * not count: `JSON.parse` and RFC 8785 (`canonicalize`) of every body, on every core, no hash: the reason a JS
 * verifier cannot reach the limit when it costs more than the hashing.
 */
export interface PhysicalLimit {
  /** Worker threads (the cores available). */
  threads: number;
  events: number;
  tokens: number;
  ms: number;
  eventsPerSec: number;
  /** CPU time of the process (every thread) per event, in microseconds: less moved by other work on the cores. */
  cpuUsPerEvent: number;
}

/** The `canonicalize` package the verifier uses (`@handoff/lineage`'s dependency in this workspace). */
const CANONICALIZE = new URL(
  '../../packages/lineage/node_modules/canonicalize/lib/canonicalize.js',
  import.meta.url,
).href;

/** Splits `(from, to]` into `parts` consecutive ranges. */
function ranges(from: number, to: number, parts: number): [number, number][] {
  const size = Math.ceil((to - from) / parts);
  return Array.from({ length: parts }, (_, i) => [
    Math.min(to, from + i * size),
    Math.min(to, from + (i + 1) * size),
  ]);
}

/**
 * Runs `mode` (`limit` or `canonical`, see {@link PhysicalLimit}) over the events and approval tokens of the
 * database at `path` on `options.threads` worker threads (default: every core), over its first
 * `options.maxEvents` events (default: all; a rate, so a part measures it as well as the whole).
 *
 * @param publicJwk - the approver key every token is verified with.
 * @throws Error when a worker fails or a token does not verify.
 */
export async function measurePhysicalLimit(
  path: string,
  mode: 'limit' | 'canonical',
  publicJwk: JsonWebKey,
  options: { threads?: number; maxEvents?: number } = {},
): Promise<PhysicalLimit> {
  const threads = options.threads ?? availableParallelism();
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const maxId = (db.prepare('select max(id) from lineage_events').pluck().get() as number) ?? 0;
  const maxRow = (db.prepare('select max(rowid) from payloads').pluck().get() as number) ?? 0;
  db.close();
  const idRanges = ranges(0, Math.min(maxId, options.maxEvents ?? maxId), threads);
  const rowRanges = ranges(0, maxRow, threads);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const answers = await Promise.all(
    idRanges.map(([fromId, toId], i) => {
      const [fromRow, toRow] = rowRanges[i] as [number, number];
      const workerData = {
        path,
        mode,
        fromId,
        toId,
        fromRow,
        toRow,
        publicJwk,
        canonicalizeUrl: CANONICALIZE,
      };
      const worker = new Worker(new URL('./physical-limit-worker.mjs', import.meta.url), {
        workerData,
      });
      return new Promise<{ events: number; tokens: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }).finally(() => worker.terminate());
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const events = answers.reduce((sum, a) => sum + a.events, 0);
  const tokens = answers.reduce((sum, a) => sum + a.tokens, 0);
  const cpuUsPerEvent = Math.round(((cpu.user + cpu.system) / Math.max(1, events)) * 100) / 100;
  return { threads, events, tokens, ms, eventsPerSec: perSecond(events, ms), cpuUsPerEvent };
}
