import type { GatewayStore } from '../store/store.js';
import type { LineageTrace, TraceTarget } from './lineage-trace.js';
import { traceLineage } from './trace.js';

/**
 * {@link traceLineage} on a gateway's store, whatever its dialect: the reads run in one `readAudit`, so they see
 * one committed state and never a transaction in progress. `tenantId` undefined (an operator's offline read of a
 * database) traces a plan of any tenant.
 *
 * @throws GatewayError `NOT_FOUND` (unknown target or another tenant's); `VALIDATION_FAILED` (no tenant given and
 *   the plan id used in several); `INTERNAL` (a stored document altered), as {@link traceLineage}.
 */
export function traceInStore(
  store: GatewayStore,
  target: TraceTarget,
  tenantId: string | undefined,
): Promise<LineageTrace> {
  return store.readAudit((reads) => traceLineage(reads, target, tenantId));
}
