import {
  GENESIS_HASH,
  HANDOFF_PROTOCOL_VERSION,
  type LineageEvent,
  lineageEventHash,
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

/**
 * Turns drafts into chained `LineageEvent` documents after `head`: seq `head.seq + 1`, ..., each `prevHash` the
 * hash before it, each `hash` = SHA-256 over the RFC 8785 form of the event without `hash`. Pure: the store
 * persists the result in the same transaction as the state change it records.
 */
export function chainEvents(head: ChainHead, drafts: readonly LineageDraft[]): LineageEvent[] {
  const out: LineageEvent[] = [];
  let { seq, hash } = head;
  for (const draft of drafts) {
    seq += 1;
    const unsigned: Omit<LineageEvent, 'hash'> = {
      protocolVersion: HANDOFF_PROTOCOL_VERSION,
      kind: 'LineageEvent',
      seq,
      occurredAt: toIso(draft.occurredAt),
      tenantId: draft.tenantId,
      ...(draft.planId === undefined ? {} : { planId: draft.planId }),
      type: draft.type,
      actor: draft.actor,
      refs: draft.refs ?? {},
      data: draft.data ?? {},
      prevHash: hash as LineageEvent['prevHash'],
    };
    hash = lineageEventHash(unsigned);
    out.push({ ...unsigned, hash });
  }
  return out;
}
