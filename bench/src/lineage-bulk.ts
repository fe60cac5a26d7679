import { type ChainHead, chainEvents, EMPTY_HEAD, StoredEventCheck } from '@handoff/gateway';
import { canonicalJson, type LineageEvent, sha256Digest } from '@handoff/protocol';
import type Database from 'better-sqlite3';

/** Events inserted per transaction. */
const BATCH = 50_000;
/** Every this many events, the body is also built by `chainEvents` + `canonicalJson` and compared. */
const SAMPLE_EVERY = 10_007;

/** The plan id of the `n`th fake plan: a UUID, so OpenLineage and traces treat it as a real one. */
function fakePlanId(n: number): string {
  const high = Math.floor(n / 0x10000)
    .toString(16)
    .padStart(4, '0');
  const low = (n % 0x10000).toString(16).padStart(12, '0');
  return `019a8f2e-${high}-7d3e-9a1f-${low}`;
}

/**
 * A template's RFC 8785 text cut around what changes from one copy to the next (plan id, prev hash, seq): JCS
 * sorts members, so the top level of every copy is `actor, data, [hash], kind, occurredAt, planId, prevHash,
 * protocolVersion, refs, seq, tenantId, type`, and every value but the three is the template's.
 */
function piecesOf(t: LineageEvent) {
  const json = canonicalJson;
  return {
    head: `{"actor":${json(t.actor)},"data":${json(t.data)}`,
    toPlan: `,"kind":"LineageEvent","occurredAt":${json(t.occurredAt)},"planId":"`,
    toPrev: '","prevHash":"',
    toSeq: `","protocolVersion":${json(t.protocolVersion)},"refs":${json(t.refs)},"seq":`,
    tail: `,"tenantId":${json(t.tenantId)},"type":${json(t.type)}}`,
  };
}

/**
 * Appends lineage events shaped like `templates` (same types, actors, refs and data, each cycle of the templates
 * under a fresh plan id) after the last stored event until the lineage holds `total` events. For benchmarks
 * only: the store's per-call work is bypassed, not its format. Each body is the RFC 8785 text of the event,
 * assembled from the template's canonical pieces, its `hash` SHA-256 over that text without `hash` and its
 * `prevHash` the hash before it; every row must pass the verifier's own check of stored bytes
 * (`StoredEventCheck`) and every `SAMPLE_EVERY`th must equal what `chainEvents` and `canonicalJson` produce, or
 * this throws. Rows go in through one prepared INSERT, `BATCH` per transaction, with a large page cache (the
 * unique index on `hash` is filled in random order) and `synchronous = OFF` (both restored after). No checkpoint is signed.
 *
 * @returns the events appended and the milliseconds it took.
 * @throws Error when a built body is not what the store would write.
 */
export function appendShapedEvents(
  db: Database.Database,
  templates: readonly LineageEvent[],
  total: number,
  log: (text: string) => void,
): { appended: number; ms: number } {
  const started = performance.now();
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('cache_size = -1000000');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    `insert into lineage_events (seq, tenant_id, plan_id, type, actor_type, actor_id, occurred_at, body,
     prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const last = db.prepare('select seq, hash from lineage_events order by seq desc limit 1').get() as
    | ChainHead
    | undefined;
  let { seq, hash } = last ?? EMPTY_HEAD;
  const first = seq;
  const pieces = templates.map(piecesOf);
  const check = new StoredEventCheck();
  const write = db.transaction((count: number) => {
    for (let i = 0; i < count; i += 1) {
      const n = seq - first;
      const t = templates[n % templates.length] as LineageEvent;
      const p = pieces[n % templates.length] as ReturnType<typeof piecesOf>;
      const planId = fakePlanId(Math.floor(n / templates.length));
      const prevHash = hash;
      seq += 1;
      const rest = `${p.toPlan}${planId}${p.toPrev}${prevHash}${p.toSeq}${seq}${p.tail}`;
      hash = sha256Digest(`${p.head}${rest}`);
      const body = `${p.head},"hash":"${hash}"${rest}`;
      const row = {
        seq,
        tenantId: t.tenantId,
        planId,
        type: t.type,
        actorType: t.actor.type,
        actorId: t.actor.id,
        occurredAt: Date.parse(t.occurredAt),
        prevHash,
        hash,
      };
      if (!check.holds(body, row) || (n % SAMPLE_EVERY === 0 && !sameAsStore(t, row, body))) {
        throw new Error(`The body built for seq ${seq} is not what the store would write`);
      }
      insert.run(
        seq,
        t.tenantId,
        planId,
        t.type,
        t.actor.type,
        t.actor.id,
        row.occurredAt,
        body,
        prevHash,
        hash,
      );
    }
  });
  let logged = seq;
  while (seq < total) {
    write(Math.min(BATCH, total - seq));
    if (seq - logged >= 1_000_000 || seq === total) {
      log(`lineage: ${seq.toLocaleString('en-US')} events`);
      logged = seq;
    }
  }
  db.pragma(`cache_size = ${cacheSize}`);
  db.pragma(`synchronous = ${synchronous}`);
  return { appended: seq - first, ms: performance.now() - started };
}

/** True when `chainEvents` chains the template after `row.prevHash` into `body`, byte for byte. */
function sameAsStore(
  t: LineageEvent,
  row: { seq: number; planId: string; prevHash: string },
  body: string,
): boolean {
  const [event] = chainEvents({ seq: row.seq - 1, hash: row.prevHash }, [
    {
      tenantId: t.tenantId,
      planId: row.planId,
      type: t.type,
      actor: t.actor,
      occurredAt: Date.parse(t.occurredAt),
      refs: t.refs,
      data: t.data,
    },
  ]);
  return event !== undefined && canonicalJson(event) === body;
}
