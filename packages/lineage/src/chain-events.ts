import { GENESIS_HASH, type LineageEvent } from '@handoff/protocol';
import { chainKey, eventHash, type LineageChain } from './event-hash.js';

/** An event before it is chained: everything but its chain, position and hashes. */
export type LineageEventDraft = Omit<LineageEvent, 'chain' | 'seq' | 'prevHash' | 'hash'>;

/** The last event of a chain, as the next event links to it. */
export interface ChainHead {
  /** Its position in its chain (1 = first). */
  seq: number;
  /** Its `hash`. */
  hash: string;
}

/** Options of {@link chainEvents}. */
export interface ChainOptions {
  /**
   * 2 (default): per-chain events with `chain` (`plan` when the draft has a `planId`, else `tenant`), every draft
   * of the same chain. 1: the old format, one global chain and no `chain` member (kept to write fixtures of
   * lineages written before per-plan chains).
   */
  format?: 1 | 2;
}

/** The chain a draft belongs to: its plan's when it names one, else its tenant's. */
export function chainOfDraft(draft: Pick<LineageEventDraft, 'planId'>): LineageChain {
  return draft.planId === undefined ? 'tenant' : 'plan';
}

/**
 * Chains `drafts` of ONE chain after `head`: each gets `seq` = previous + 1 (1 after no head), `prevHash` = the
 * previous event's `hash` (`GENESIS_HASH` after no head), and its {@link eventHash}. Format 2 (default) adds
 * `chain` to each event; format 1 writes the old global chain.
 *
 * @param head - the chain's last event, or `undefined` for a new chain.
 * @returns the events, in order; the last one is the chain's new head.
 * @throws RangeError when `head.seq` is not a positive integer, or (format 2) the drafts are not all of one
 *   chain (the same plan, or no plan and the same tenant).
 */
export function chainEvents(
  head: ChainHead | undefined,
  drafts: readonly LineageEventDraft[],
  options: ChainOptions = {},
): LineageEvent[] {
  if (head !== undefined && !(Number.isSafeInteger(head.seq) && head.seq >= 1)) {
    throw new RangeError(`A chain head's seq must be a positive integer, not ${head.seq}`);
  }
  const format = options.format ?? 2;
  let seq = head?.seq ?? 0;
  let prevHash: string = head?.hash ?? GENESIS_HASH;
  let key: string | undefined;
  const events: LineageEvent[] = [];
  for (const draft of drafts) {
    seq += 1;
    const body: Omit<LineageEvent, 'hash'> =
      format === 1
        ? { ...draft, seq, prevHash }
        : { ...draft, chain: chainOfDraft(draft), seq, prevHash };
    const thisKey = chainKey(body);
    if (key !== undefined && thisKey !== key) {
      throw new RangeError(`chainEvents chains one chain at a time: ${thisKey} follows ${key}`);
    }
    key = thisKey;
    const event = { ...body, hash: eventHash(body) } as LineageEvent;
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}
