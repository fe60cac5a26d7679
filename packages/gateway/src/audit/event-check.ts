import { bytesOfDigest } from '@handoff/lineage';
import { type LineageEvent, lineageEventHash } from '@handoff/protocol';
import type { EventColumns, LineageSource, SourceEvent } from './lineage-source.js';
import type { StoredEventCheck } from './stored-event.js';
import type { VerificationFailure } from './verification-failure.js';

/**
 * An event's own checks (step 2 of `verifyLineage` before its link and leaf): the fast path on stored bytes
 * ({@link holdsStored}) and the full path on the parsed event ({@link checkParsedEvent}). Shared by the serial
 * walk (`ChainWalker`) and the parallel one, which re-checks here every event its workers could not take on the
 * fast path, so both reach the same verdict on each event.
 */

type Failure = VerificationFailure;

/**
 * True when a database event holds on its stored text (`StoredEventCheck`) at the `seq` expected next in a
 * complete source: its columns are then those of the hashed body, and its hash is right. False is no verdict.
 */
export function holdsStored(
  item: SourceEvent,
  mode: LineageSource['mode'],
  expectedSeq: number,
  fast: StoredEventCheck,
): item is SourceEvent & { text: string; columns: EventColumns } {
  const { columns, text } = item;
  return (
    typeof text === 'string' &&
    columns !== undefined &&
    mode === 'complete' &&
    columns.seq === expectedSeq &&
    fast.holds(text, columns)
  );
}

/**
 * The full own checks of one event, on its parsed body: it is a lineage event (`BODY_MALFORMED`), its columns
 * equal the body (`COLUMN_MISMATCH`), its `seq` is `expectedSeq` in a complete source or above `previousSeq`
 * in a subset (`SEQ_GAP`), and its `hash` is `lineageEventHash` of it (`HASH_MISMATCH`).
 *
 * @returns the first failure, or the parsed event when every check holds.
 */
export function checkParsedEvent(
  item: SourceEvent,
  mode: LineageSource['mode'],
  expectedSeq: number,
  previousSeq: number,
): Failure | LineageEvent {
  const { columns, text } = item;
  const parsed = text === undefined ? item.body : parseText(text);
  const at = where(columns?.seq ?? expectedSeq, item);
  const body = asEvent(parsed);
  if (body === undefined) {
    return { code: 'BODY_MALFORMED', ...at, message: 'The event is not a lineage event' };
  }
  const column = columns ? mismatchedColumn(columns, body) : undefined;
  if (column !== undefined) {
    return {
      code: 'COLUMN_MISMATCH',
      ...at,
      field: column,
      message: `Column ${column} of seq ${at.seq} differs from the hashed event`,
    };
  }
  const complete = mode === 'complete';
  if (complete ? body.seq !== expectedSeq : body.seq <= previousSeq) {
    return {
      code: 'SEQ_GAP',
      ...at,
      seq: expectedSeq,
      expectedSeq,
      foundSeq: body.seq,
      message: `Expected seq ${complete ? expectedSeq : `> ${previousSeq}`}, found ${body.seq}`,
    };
  }
  const located = where(body.seq, item);
  let recomputed: string;
  try {
    recomputed = lineageEventHash(body);
  } catch {
    return { code: 'BODY_MALFORMED', ...located, message: 'The event has no JSON form' };
  }
  if (recomputed !== body.hash) {
    return {
      code: 'HASH_MISMATCH',
      ...located,
      expected: recomputed,
      found: body.hash,
      message: `Event ${body.seq} was changed: its content does not hash to its hash`,
    };
  }
  return body;
}

/** Where a failure of `item` is reported: `seq`, and the export line when there is one. */
export function where(seq: number, item: SourceEvent): { seq: number; line?: number } {
  return item.line ? { seq, line: item.line } : { seq };
}

/** The event of an item already checked (its text parses: it passed the checks above). */
export function eventOf(item: SourceEvent): LineageEvent | undefined {
  return asEvent(item.text === undefined ? item.body : parseText(item.text));
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The body as an event, when it has the members the checks read. */
function asEvent(body: unknown): LineageEvent | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const e = body as Partial<LineageEvent>;
  const ok =
    Number.isSafeInteger(e.seq) &&
    typeof e.hash === 'string' &&
    typeof e.prevHash === 'string' &&
    bytesOfDigest(e.hash) !== undefined &&
    typeof e.refs === 'object' &&
    e.refs !== null &&
    typeof e.data === 'object' &&
    e.data !== null;
  return ok ? (body as LineageEvent) : undefined;
}

/** The first database column that differs from the hashed body, if any. */
function mismatchedColumn(c: EventColumns, e: LineageEvent): string | undefined {
  const pairs: [string, unknown, unknown][] = [
    ['seq', c.seq, e.seq],
    ['hash', c.hash, e.hash],
    ['prev_hash', c.prevHash, e.prevHash],
    ['tenant_id', c.tenantId, e.tenantId],
    ['plan_id', c.planId, e.planId ?? null],
    ['type', c.type, e.type],
    ['actor_type', c.actorType, e.actor?.type],
    ['actor_id', c.actorId, e.actor?.id],
    ['occurred_at', c.occurredAt, Date.parse(e.occurredAt)],
  ];
  return pairs.find(([, column, body]) => column !== body)?.[0];
}
