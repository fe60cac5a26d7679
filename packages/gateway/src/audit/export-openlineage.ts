import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { GatewayStore } from '../store/store.js';
import type { LineageTrace } from './lineage-trace.js';
import { traceInStore } from './trace-in-store.js';

/**
 * OpenLineage export: each plan becomes one run of the job `<tenant>.<workflow>`, written as OpenLineage 2-0-2
 * `RunEvent` objects (https://openlineage.io/spec/2-0-2/OpenLineage.json, `$defs/RunEvent`), one per line, so
 * the record joins a company's existing lineage tooling (Marquez, DataHub, ...).
 *
 * Per plan: a `START` event at its reception, with its input datasets (namespace and name from each input's
 * URI; a `handoff_input` input facet with the input id, `sha256` and version), and a second event for where it
 * stands: `COMPLETE` (dispatched), `FAIL` (rejected, failed, partially failed, expired), `ABORT` (cancelled) or
 * `RUNNING` (still in progress), with the dispatched actions as output datasets (namespace
 * `handoff-adapter://<adapter>`, name the action id). Both carry the custom run facet `handoff_plan` (plan id and
 * digest, policy version, copilot identity, every approval with approver, role, key id and time, the head of the
 * plan's lineage). Every facet has the `_producer` and `_schemaURL` that OpenLineage's BaseFacet requires; the
 * custom facets' schemas are published with the package (see {@link HANDOFF_FACET_SCHEMA_URLS}).
 *
 * `runId` must be a UUID: a UUID plan id is used as it is; a ULID plan id becomes a UUIDv8 (RFC 9562 section
 * 5.8) from the first 16 bytes of SHA-256 of the plan id, so a re-export names the same run.
 */
export const OPENLINEAGE_SCHEMA_URL =
  'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/**
 * The `_schemaURL` of Handoff's custom facets, each the `$id` of the facet's JSON Schema (draft 2020-12) plus a
 * JSON Pointer to its definition, as OpenLineage's own facets do (`<$id>#/$defs/<FacetName>`). The schemas ship
 * in this package (`@handoff/gateway/openlineage/facets/<FacetName>.json`, whose `$id` is the part before `#`);
 * a URN, as the protocol's schemas use, because they are resolved from the package rather than fetched.
 * A change to a facet's fields is a new version in its `$id` and here.
 */
export const HANDOFF_FACET_SCHEMA_URLS = {
  /** The run facet `handoff_plan`. */
  handoff_plan:
    'urn:handoff:openlineage:facets:1-0-0:HandoffPlanRunFacet.json#/$defs/HandoffPlanRunFacet',
  /** The input dataset facet `handoff_input`. */
  handoff_input:
    'urn:handoff:openlineage:facets:1-0-0:HandoffInputDatasetFacet.json#/$defs/HandoffInputDatasetFacet',
} as const;

/** Options of {@link exportOpenLineage}. */
export interface OpenLineageOptions {
  /** The `producer` URI of every event and facet. Default `urn:handoff:gateway:0.1.0`. */
  producer?: string;
  /** The job namespace. Default `handoff`. */
  namespace?: string;
  /** Only plans of this tenant. */
  tenantId?: string;
  /** Only this plan. */
  planId?: string;
  onProgress?: (done: number, total: number) => void;
}

const RUN_TYPE: Record<string, 'COMPLETE' | 'FAIL' | 'ABORT'> = {
  dispatched: 'COMPLETE',
  rejected: 'FAIL',
  failed: 'FAIL',
  partially_failed: 'FAIL',
  expired: 'FAIL',
  cancelled: 'ABORT',
};

/** A UUID for a plan id (see the module comment). */
export function runIdOf(planId: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(planId)) return planId;
  const b = createHash('sha256').update(planId).digest().subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The namespace and name OpenLineage's naming convention derives from a dataset URI. */
function datasetName(uri: string, inputId: string): { namespace: string; name: string } {
  try {
    const url = new URL(uri);
    const name = url.pathname.replace(/^\//, '') || inputId;
    return { namespace: `${url.protocol}//${url.host}`, name };
  } catch {
    return { namespace: 'handoff-input', name: inputId };
  }
}

/** The OpenLineage `RunEvent`s of one traced plan (START, then its current state). */
export function runEventsOf(trace: LineageTrace, options: OpenLineageOptions = {}): object[] {
  const producer = options.producer ?? 'urn:handoff:gateway:0.1.0';
  const facet = { _producer: producer, _schemaURL: HANDOFF_FACET_SCHEMA_URLS.handoff_plan };
  const { plan } = trace;
  const run = {
    runId: runIdOf(plan.planId),
    facets: {
      handoff_plan: {
        ...facet,
        planId: plan.planId,
        planDigest: plan.digest,
        state: plan.state,
        policyVersion: trace.policy.version,
        copilot: trace.copilot ?? null,
        selectedOptionId: plan.selectedOptionId,
        approvals: trace.approvals.accepted.map((a) => ({
          approver: a.approver,
          role: a.role,
          decision: a.decision,
          optionId: a.optionId,
          kid: a.kid,
          approvedAt: a.receivedAt,
          tokenDigest: a.tokenDigest,
        })),
        lineage: {
          firstSeq: trace.events[0]?.seq ?? null,
          lastSeq: trace.events.at(-1)?.seq ?? null,
          lastHash: trace.events.at(-1)?.hash ?? null,
        },
      },
    },
  };
  const job = {
    namespace: options.namespace ?? 'handoff',
    name: `${plan.tenantId}.${plan.workflowId}`,
  };
  const inputs = trace.inputs.map((i) => ({
    ...datasetName(i.uri, i.inputId),
    inputFacets: {
      handoff_input: {
        _producer: producer,
        _schemaURL: HANDOFF_FACET_SCHEMA_URLS.handoff_input,
        inputId: i.inputId,
        kind: i.kind,
        sha256: i.sha256 ?? null,
        version: i.version ?? null,
      },
    },
  }));
  const base = { producer, schemaURL: OPENLINEAGE_SCHEMA_URL, run, job };
  const last = trace.events.at(-1)?.occurredAt ?? plan.receivedAt;
  return [
    { ...base, eventType: 'START', eventTime: plan.receivedAt, inputs, outputs: [] },
    {
      ...base,
      eventType: RUN_TYPE[plan.state] ?? 'RUNNING',
      eventTime: last,
      inputs,
      outputs: trace.dispatches.map((d) => ({
        namespace: `handoff-adapter://${d.adapter}`,
        name: d.actionId,
      })),
    },
  ];
}

/**
 * Writes the OpenLineage `RunEvent`s of every plan (or of one tenant or plan) of a gateway's store to `outPath`,
 * one JSON object per line, in order of reception: each plan traced (`traceInStore`, which re-hashes the
 * documents it shows) through the store's dialect-neutral reads. The store may be open read-only.
 *
 * @returns how many plans and events were written.
 * @throws GatewayError `INTERNAL` when a stored document was altered (see `traceLineage`); the stream's error
 *   when writing fails.
 */
export async function exportOpenLineage(
  store: GatewayStore,
  outPath: string,
  options: OpenLineageOptions = {},
): Promise<{ plans: number; events: number }> {
  // Plan ids are per tenant: each plan is traced by (tenant, id).
  const planKeys = await store.lineageReads.planKeys({
    ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}),
    ...(options.planId !== undefined ? { planId: options.planId } : {}),
  });
  const out = createWriteStream(outPath, { encoding: 'utf8' });
  let events = 0;
  for (const [i, { tenantId, planId }] of planKeys.entries()) {
    const lines = runEventsOf(await traceInStore(store, { planId }, tenantId), options);
    events += lines.length;
    if (!out.write(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)) await once(out, 'drain');
    if ((i + 1) % 1000 === 0) options.onProgress?.(i + 1, planKeys.length);
  }
  out.end();
  await once(out, 'finish');
  options.onProgress?.(planKeys.length, planKeys.length);
  return { plans: planKeys.length, events };
}
