import { type ChainHead, chainEvents as chainLineage, chainOfDraft } from '@handoff/lineage';
import {
  canonicalJson,
  GENESIS_HASH,
  HANDOFF_PROTOCOL_VERSION,
  type LineageEvent,
} from '@handoff/protocol';
import { toIso } from '../clock.js';
import type { LineageDraft } from './store.js';

export type { ChainHead };

/** The head of an empty chain: seq 0 and `GENESIS_HASH` (the next event is seq 1). */
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The chain a draft joins: `plan` when it names a plan, else `tenant` (`@handoff/lineage`'s `chainOfDraft`). */
export const chainOf = chainOfDraft;

/**
 * The store's key of one chain: its tenant and plan (plan ids are per tenant, so the same plan id in two tenants
 * is two chains), or its tenant alone for events of no plan.
 */
export function chainKey(draft: { tenantId: string; planId?: string | undefined }): string {
  return draft.planId === undefined
    ? `tenant\u0000${draft.tenantId}`
    : `plan\u0000${draft.tenantId}\u0000${draft.planId}`;
}

/** A chained event with its stored form: `body` is the RFC 8785 form of `event`, `hash` included. */
export interface ChainedEvent {
  event: LineageEvent;
  body: string;
}

/**
 * Chains drafts of ONE chain after `head` with `@handoff/lineage`'s `chainEvents` (the hashing the verifier
 * uses: SHA-256 over the RFC 8785 form of the event without `hash`): seq `head.seq + 1`, ..., each `prevHash` the
 * hash before it. Format 2 (the default) gives each event its `chain`; format 1 (one global chain, no `chain`)
 * is kept for tools that write old lineages. Pure: the store persists the result in the same transaction as the
 * state change it records.
 *
 * @throws RangeError (format 2) when the drafts are not all of one chain.
 */
export function chainEvents(
  head: ChainHead,
  drafts: readonly LineageDraft[],
  format: 1 | 2 = 2,
): LineageEvent[] {
  return chainLineage(
    head.seq === 0 ? undefined : head,
    drafts.map((draft) => ({
      protocolVersion: HANDOFF_PROTOCOL_VERSION,
      kind: 'LineageEvent' as const,
      occurredAt: toIso(draft.occurredAt),
      tenantId: draft.tenantId,
      ...(draft.planId === undefined ? {} : { planId: draft.planId }),
      type: draft.type,
      actor: draft.actor,
      refs: draft.refs ?? {},
      data: draft.data ?? {},
    })),
    { format },
  );
}

/** {@link chainEvents}, each event with its stored body (its RFC 8785 form, `hash` included). */
export function chainCanonical(
  head: ChainHead,
  drafts: readonly LineageDraft[],
  format: 1 | 2 = 2,
): ChainedEvent[] {
  return chainEvents(head, drafts, format).map((event) => ({ event, body: canonicalJson(event) }));
}

/**
 * The columns a store keeps beside an event's body, for its indexes and for verifiers to compare with the
 * hashed body: `occurredAt` in epoch milliseconds, `planId` null for an event of no plan, `chain` null for a
 * format-1 event. `id` and `log_index` are the store's (insertion order; the sequencer's position in the log).
 */
export function lineageColumns(e: LineageEvent) {
  return {
    seq: e.seq,
    chain: e.chain ?? null,
    tenantId: e.tenantId,
    planId: e.planId ?? null,
    type: e.type,
    actorType: e.actor.type,
    actorId: e.actor.id,
    occurredAt: Date.parse(e.occurredAt),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
