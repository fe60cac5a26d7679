import { GatewayError } from '../errors.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { GatewayStore } from '../store/store.js';
import { AuditReader } from './audit-reader.js';
import type { LineageTrace, TraceTarget } from './lineage-trace.js';
import { traceLineage } from './trace.js';

/** One reader per connection: building drizzle's schema maps costs more than a small trace's queries. */
const readers = new WeakMap<SqliteStore['sqlite'], AuditReader>();

/**
 * {@link traceLineage} on a running gateway's store. The reads run inside one store transaction, so they see
 * one committed state and never a transaction in progress on the same connection.
 *
 * @throws GatewayError `NOT_FOUND` (unknown target or another tenant's); `INTERNAL` when the store is not the
 *   SQLite store (the only one the audit reads so far).
 */
export function traceInStore(
  store: GatewayStore,
  target: TraceTarget,
  tenantId: string,
): Promise<LineageTrace> {
  if (!(store instanceof SqliteStore)) {
    throw new GatewayError('INTERNAL', 'Tracing needs the SQLite store');
  }
  let reader = readers.get(store.sqlite);
  if (reader === undefined) {
    reader = new AuditReader(store.sqlite);
    readers.set(store.sqlite, reader);
  }
  const cached = reader;
  return store.transaction(async () => traceLineage(cached, target, tenantId));
}
