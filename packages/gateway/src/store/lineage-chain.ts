import {
  canonicalJson,
  GENESIS_HASH,
  HANDOFF_PROTOCOL_VERSION,
  type LineageEvent,
  sha256Digest,
} from '@handoff/protocol';
import { toIso } from '../clock.js';
import type { LineageDraft } from './store.js';

/** The tail of a chain: the last `seq` and `hash`, or the genesis values for an empty chain. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** The head of an empty chain: seq 0 and `GENESIS_HASH`. */
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The hash chain of a format-2 event: its plan's, or its tenant's for an event of no plan. */
export type ChainKind = 'plan' | 'tenant';

/** The chain a draft joins: `plan` when it names a plan, else `tenant`. */
export function chainOf(draft: { planId?: string | undefined }): ChainKind {
  return draft.planId === undefined ? 'tenant' : 'plan';
}

/**
 * A key naming one chain within a store: its tenant and plan (plan ids are per tenant). Events of no plan share
 * their tenant's key.
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
 * Turns drafts of ONE chain into chained `LineageEvent` documents after `head` (see {@link chainCanonical}).
 * Pure: the store persists the result in the same transaction as the state change it records.
 */
export function chainEvents(
  head: ChainHead,
  drafts: readonly LineageDraft[],
  format: 1 | 2 = 2,
): LineageEvent[] {
  return chainCanonical(head, drafts, format).map((chained) => chained.event);
}

/**
 * Chains drafts after `head`: seq `head.seq + 1`, ..., each `prevHash` the hash before it, each `hash` = SHA-256
 * over the RFC 8785 form of the event without `hash`. Format 2 (the default) gives each event its `chain`
 * ({@link chainOf}): every draft must then belong to the chain `head` is the head of. Format 1 (one global chain,
 * no `chain` member) is kept for tools that write old lineages.
 *
 * Each stored body is canonicalised once: RFC 8785 sorts members by UTF-16 code units, and an event's members
 * `actor`, `chain` and `data` sort before `hash`, every other member after it; so the canonical form of the event
 * without `hash` (what is hashed) and with it (what is stored) are the same two canonical halves, joined with or
 * without the `hash` member.
 */
export function chainCanonical(
  head: ChainHead,
  drafts: readonly LineageDraft[],
  format: 1 | 2 = 2,
): ChainedEvent[] {
  const out: ChainedEvent[] = [];
  let { seq, hash } = head;
  for (const draft of drafts) {
    seq += 1;
    const before = {
      actor: draft.actor,
      ...(format === 2 ? { chain: chainOf(draft) } : {}),
      data: draft.data ?? {},
    };
    const after = {
      protocolVersion: HANDOFF_PROTOCOL_VERSION,
      kind: 'LineageEvent' as const,
      seq,
      occurredAt: toIso(draft.occurredAt),
      tenantId: draft.tenantId,
      ...(draft.planId === undefined ? {} : { planId: draft.planId }),
      type: draft.type,
      refs: draft.refs ?? {},
      prevHash: hash as LineageEvent['prevHash'],
    };
    const front = canonicalJson(before).slice(0, -1);
    const back = canonicalJson(after).slice(1);
    hash = sha256Digest(`${front},${back}`);
    const { prevHash, ...rest } = after;
    out.push({
      event: { ...rest, ...before, refs: after.refs, prevHash, hash },
      body: `${front},"hash":"${hash}",${back}`,
    });
  }
  return out;
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
