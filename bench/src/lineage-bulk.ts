import type { JsonWebKey } from 'node:crypto';
import { chainEvents, EMPTY_HEAD } from '@handoff/gateway';
import { canonicalJson, GENESIS_HASH, type LineageEvent, sha256Digest } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { ApprovalCopies } from './approval-copies.js';

/** Events inserted per transaction. */
const BATCH = 50_000;
/** Every this many events, the body is also built by `chainEvents` + `canonicalJson` and compared. */
const SAMPLE_EVERY = 10_007;
/** Every this many approvals, the token is also verified and compared with its event, and the body as above. */
const APPROVAL_SAMPLE_EVERY = 1_009;

/**
 * The plan id of the `n`th fake plan: a UUID, so OpenLineage and traces treat it as a real one. Its second group
 * starts at f000, clear of the real plans' (`planId` of the workload: a run number, 11 here).
 */
function fakePlanId(n: number): string {
  const high = (0xf000 + Math.floor(n / 0x10000)).toString(16);
  const low = (n % 0x10000).toString(16).padStart(12, '0');
  return `019a8f2e-${high}-7d3e-9a1f-${low}`;
}

/**
 * A template's RFC 8785 text cut around what changes from one copy to the next (plan id, prev hash, seq): JCS
 * sorts members, so the top level of every copy is `actor, chain, data, [hash], kind, occurredAt, planId,
 * prevHash, protocolVersion, refs, seq, tenantId, type`, and every value but the three is the template's.
 */
function piecesOf(t: LineageEvent) {
  const json = canonicalJson;
  return {
    head: `{"actor":${json(t.actor)},"chain":"plan","data":${json(t.data)}`,
    toPlan: `,"kind":"LineageEvent","occurredAt":${json(t.occurredAt)},"planId":"`,
    toPrev: '","prevHash":"',
    toSeq: `","protocolVersion":${json(t.protocolVersion)},"refs":${json(t.refs)},"seq":`,
    tail: `,"tenantId":${json(t.tenantId)},"type":${json(t.type)}}`,
  };
}

/**
 * Appends plan chains shaped like `templates` (the events of ONE real plan, in its chain's order: same types,
 * actors, refs and data) after the last stored event until the lineage holds `total` events (a last plan may be
 * cut short). Each copy is a plan of its own: a fresh plan id, its own chain (format 2: `chain` `plan`, seq 1, 2,
 * ..., `prevHash` GENESIS_HASH then the previous event of the plan), sequenced at once (`log_index` = `id - 1`:
 * rows of the real plans the bench gateway left unsequenced get theirs first, as its sequencer would). The
 * `approval.accepted` template is copied with a real approval: a token freshly signed by `approverKey` for the
 * copy (`ApprovalCopies`: stored in `payloads`, with its `approvals` and `used_tokens` rows), its digest in
 * `refs.approval` and its `jti` in `data`, so the verifier checks one Ed25519 signature per copied plan as in a
 * real lineage. For benchmarks only: the store's per-call work is bypassed, not its format. Each body is the
 * RFC 8785 text of the event, assembled from the template's canonical pieces, its `hash` SHA-256 over that text
 * without `hash`; every `SAMPLE_EVERY`th must equal what `chainEvents` and `canonicalJson` produce, or this
 * throws; every `APPROVAL_SAMPLE_EVERY`th approval is compared too, its token verified. Rows go in through one
 * prepared INSERT, `BATCH` per transaction, with a large page cache and `synchronous = OFF` (both restored
 * after). No tree head is signed.
 *
 * @param options.approverKey - the private JWK of the approver that signed the template's approval.
 * @returns the events appended, the plans and approvals among them and the milliseconds it took.
 * @throws Error when a built body is not what the store would write, or an approval not what it records.
 */
export function appendShapedEvents(
  db: Database.Database,
  templates: readonly LineageEvent[],
  total: number,
  options: { approverKey: JsonWebKey; log: (text: string) => void },
): { appended: number; approvals: number; ms: number } {
  const started = performance.now();
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('cache_size = -1000000');
  db.pragma('synchronous = OFF');
  db.prepare('update lineage_events set log_index = id - 1 where log_index is null').run();
  const insert = db.prepare(
    `insert into lineage_events (id, seq, chain, log_index, tenant_id, plan_id, type, actor_type, actor_id,
     occurred_at, body, prev_hash, hash) values (?, ?, 'plan', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let id = (db.prepare('select max(id) from lineage_events').pluck().get() as number | null) ?? 0;
  const first = id;
  const pieces = templates.map(piecesOf);
  const copies = templates.map((t) =>
    t.type === 'approval.accepted' ? new ApprovalCopies(db, t, options.approverKey) : undefined,
  );
  let approvals = 0;
  let hash = GENESIS_HASH;
  const write = db.transaction((count: number) => {
    for (let i = 0; i < count; i += 1) {
      const n = id - first;
      const at = n % templates.length;
      const seq = at + 1;
      const planId = fakePlanId(Math.floor(n / templates.length));
      const copy = copies[at];
      let t = templates[at] as LineageEvent;
      let p = pieces[at] as ReturnType<typeof piecesOf>;
      let sample = n % SAMPLE_EVERY === 0;
      if (copy !== undefined) {
        sample ||= approvals % APPROVAL_SAMPLE_EVERY === 0;
        t = { ...t, ...copy.sign(planId, sample) };
        p = piecesOf(t);
        approvals += 1;
      }
      const prevHash = seq === 1 ? GENESIS_HASH : hash;
      id += 1;
      const rest = `${p.toPlan}${planId}${p.toPrev}${prevHash}${p.toSeq}${seq}${p.tail}`;
      hash = sha256Digest(`${p.head}${rest}`);
      const body = `${p.head},"hash":"${hash}"${rest}`;
      const occurredAt = Date.parse(t.occurredAt);
      if (sample && !sameAsStore(t, { seq, planId, prevHash }, body)) {
        throw new Error(`The body built for event ${id} is not what the store would write`);
      }
      insert.run(
        ...[id, seq, id - 1, t.tenantId, planId, t.type, t.actor.type, t.actor.id, occurredAt],
        ...[body, prevHash, hash],
      );
    }
  });
  let logged = id;
  while (id < total) {
    write(Math.min(BATCH, total - id));
    if (id - logged >= 1_000_000 || id === total) {
      options.log(`lineage: ${id.toLocaleString('en-US')} events`);
      logged = id;
    }
  }
  db.pragma(`cache_size = ${cacheSize}`);
  db.pragma(`synchronous = ${synchronous}`);
  return { appended: id - first, approvals, ms: performance.now() - started };
}

/** True when `chainEvents` chains the template after `row.prevHash` into `body`, byte for byte. */
function sameAsStore(
  t: LineageEvent,
  row: { seq: number; planId: string; prevHash: string },
  body: string,
): boolean {
  const head = row.seq === 1 ? EMPTY_HEAD : { seq: row.seq - 1, hash: row.prevHash };
  const [event] = chainEvents(head, [
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
