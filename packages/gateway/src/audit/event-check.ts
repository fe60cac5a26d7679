import type { VerificationFailure } from '@handoff/lineage';
import type { LineageEvent } from '@handoff/protocol';
import type { EventColumns, SourceEvent } from './lineage-source.js';

/**
 * What a database row adds to an event's own checks (those are `ChainCheck`'s, in `@handoff/lineage`): its
 * indexed columns must equal the hashed body, or a query by column would read another lineage than the one
 * verified (`COLUMN_MISMATCH`).
 */

/** Where a failure of `item` is reported: `seq`, the chain of a format-2 event, the export line if any. */
export function where(
  seq: number,
  item: SourceEvent,
  chain?: string,
): { seq: number; chain?: string; line?: number } {
  return {
    seq,
    ...(chain === undefined || chain === 'global' ? {} : { chain }),
    ...(item.line ? { line: item.line } : {}),
  };
}

/** The first database column that differs from the hashed body, as a `COLUMN_MISMATCH`, if any. */
export function columnFailure(
  columns: EventColumns | undefined,
  event: LineageEvent,
  at: { seq: number; chain?: string; line?: number },
): VerificationFailure | undefined {
  if (columns === undefined) return undefined;
  const pairs: [string, unknown, unknown][] = [
    ['seq', columns.seq, event.seq],
    ...(columns.chain === undefined
      ? []
      : [['chain', columns.chain, event.chain ?? null] as [string, unknown, unknown]]),
    ['hash', columns.hash, event.hash],
    ['prev_hash', columns.prevHash, event.prevHash],
    ['tenant_id', columns.tenantId, event.tenantId],
    ['plan_id', columns.planId, event.planId ?? null],
    ['type', columns.type, event.type],
    ['actor_type', columns.actorType, event.actor?.type],
    ['actor_id', columns.actorId, event.actor?.id],
    ['occurred_at', columns.occurredAt, Date.parse(event.occurredAt)],
  ];
  const field = pairs.find(([, column, body]) => column !== body)?.[0];
  if (field === undefined) return undefined;
  return {
    code: 'COLUMN_MISMATCH',
    ...at,
    field,
    message: `Column ${field} of seq ${at.seq} differs from the hashed event`,
  };
}
