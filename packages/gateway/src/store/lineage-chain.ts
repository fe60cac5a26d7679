import {
  canonicalJson,
  GENESIS_HASH,
  HANDOFF_PROTOCOL_VERSION,
  type LineageEvent,
  sha256Digest,
} from '@handoff/protocol';
import { toIso } from '../clock.js';
import type { LineageDraft } from './store.js';

/** The tail of a chain: the last `seq` and `hash`, or the genesis values for an empty lineage. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** The head of an empty lineage: seq 0 and `GENESIS_HASH`. */
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** A chained event with its stored form: `body` is the RFC 8785 form of `event`, `hash` included. */
export interface ChainedEvent {
  event: LineageEvent;
  body: string;
}

/**
 * Turns drafts into chained `LineageEvent` documents after `head`: seq `head.seq + 1`, ..., each `prevHash` the
 * hash before it, each `hash` = SHA-256 over the RFC 8785 form of the event without `hash`. Pure: the store
 * persists the result in the same transaction as the state change it records.
 */
export function chainEvents(head: ChainHead, drafts: readonly LineageDraft[]): LineageEvent[] {
  return chainCanonical(head, drafts).map((chained) => chained.event);
}

/**
 * {@link chainEvents}, with each event's stored body, canonicalised once. RFC 8785 sorts members by UTF-16 code
 * units, and an event's members `actor` and `data` sort before `hash`, every other member after it; so the
 * canonical form of the event without `hash` (what is hashed) and with it (what is stored) are the same two
 * canonical halves, joined with or without the `hash` member.
 */
export function chainCanonical(head: ChainHead, drafts: readonly LineageDraft[]): ChainedEvent[] {
  const out: ChainedEvent[] = [];
  let { seq, hash } = head;
  for (const draft of drafts) {
    seq += 1;
    const before = { actor: draft.actor, data: draft.data ?? {} };
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
      event: { ...rest, actor: before.actor, refs: after.refs, data: before.data, prevHash, hash },
      body: `${front},"hash":"${hash}",${back}`,
    });
  }
  return out;
}

/**
 * The columns a store keeps beside an event's body, for its indexes and for verifiers to compare with the
 * hashed body: `occurredAt` in epoch milliseconds, `planId` null for an event of no plan.
 */
export function lineageColumns(e: LineageEvent) {
  return {
    seq: e.seq,
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
