import type { PositionedEvent } from './store.js';

/**
 * The cursor of the page after `rows`, a page read with `limit + 1` rows to learn whether more match; undefined
 * when `rows` is the last page: no row past `limit`, or a last kept position that does not pass `after` (on
 * PostgreSQL, a page of events not sequenced yet: asking again would answer the same page; they come once
 * sequenced). See `GatewayStore.queryLineageAt` for what positions are.
 */
export function nextLineageCursor(
  rows: readonly PositionedEvent[],
  limit: number,
  after: number | undefined,
): number | undefined {
  const last = rows[limit - 1];
  if (rows.length <= limit || last === undefined) return undefined;
  return last.position > (after ?? 0) ? last.position : undefined;
}
