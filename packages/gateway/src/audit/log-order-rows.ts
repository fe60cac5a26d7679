import type {
  LineageReads,
  LineageRowFilter,
  LineageRowPage,
  StoredLineageRow,
} from '../store/lineage-reads.js';

/** Rows read per page by default: small pages die young in V8's heap. */
const PAGE = 512;

/** Options of {@link logOrderRows}. */
export interface LogOrderOptions {
  /** Rows per query (1..10,000); default 512. */
  page?: number;
  /** Only the first pass: the sequenced events, by log index (a subset export, whose bound is a log index). */
  sequencedOnly?: boolean;
}

/**
 * The `lineage_events` rows matching `filter` in log order, keyset-paged through `reads.lineageRows` (never
 * OFFSET), for the offline verifier's database source and the JSONL export:
 * 1. the sequenced events by log index, from leaf 0;
 * 2. then, unless `sequencedOnly`, by position (insertion order), every event that pass did not cover: those not
 *    sequenced yet, and those sequenced after it ended (log index at or beyond the leaves it saw), yielded as
 *    unsequenced (`logIndex: null`): their leaves lie beyond what this walk covers. Without that second kind, an
 *    event the sequencer took between the passes would be in neither pass: a gap in its chain.
 *
 * Log order keeps every chain in order: a chain's next event is inserted after the previous one committed, so its
 * position is higher, and the sequencer takes committed events in position order, so its log index is higher.
 * Position order alone is not log order on PostgreSQL, where a position (`id`) is taken at insert and a lower one
 * can commit, and be sequenced, after a higher one.
 *
 * A file of lineage format 1 (no `log_index` column: `logIndex` undefined) is walked by position: its log index
 * is `seq - 1`, which is position order. On a live database each page is its own read: pass 2 can still miss an
 * event whose lower position commits between two of its pages while a later one of its chain is read; a store
 * opened read-only on PostgreSQL reads one snapshot (`openStoreReadOnly`), where nothing changes between pages.
 */
export async function* logOrderRows(
  reads: LineageReads,
  filter: LineageRowFilter = {},
  options: LogOrderOptions = {},
): AsyncGenerator<StoredLineageRow> {
  const limit = Math.max(1, Math.min(10_000, Math.trunc(options.page ?? PAGE)));
  const [first] = await reads.lineageRows({ ...filter, order: 'position', after: 0, limit: 1 });
  if (first === undefined) return;
  if (first.logIndex === undefined) {
    yield* paged(reads, { ...filter, order: 'position' }, 0, limit, (row) => row.position);
    return;
  }
  let leaves = 0;
  for await (const row of paged(reads, { ...filter, order: 'logIndex' }, -1, limit, (row) =>
    Number(row.logIndex),
  )) {
    leaves = Number(row.logIndex) + 1;
    yield row;
  }
  if (options.sequencedOnly === true) return;
  const rest = { ...filter, order: 'position', unsequencedFrom: leaves } as const;
  for await (const row of paged(reads, rest, 0, limit, (row) => row.position)) {
    yield row.logIndex === null ? row : { ...row, logIndex: null };
  }
}

/** One keyset-paged walk: pages of `limit` rows after `start`, each next page after the last row's `key`. */
async function* paged(
  reads: LineageReads,
  page: Omit<LineageRowPage, 'after' | 'limit'>,
  start: number,
  limit: number,
  key: (row: StoredLineageRow) => number,
): AsyncGenerator<StoredLineageRow> {
  for (let after = start; ; ) {
    const rows = await reads.lineageRows({ ...page, after, limit });
    yield* rows;
    const last = rows.at(-1);
    if (last === undefined || rows.length < limit) return;
    after = key(last);
  }
}
