import { parentPort } from 'node:worker_threads';
import type { LineageEvent } from '@handoff/protocol';
import { ChainCheck, parseEvent } from './chain-check.js';
import type { VerificationFailure } from './verification-failure.js';

/**
 * The worker thread of `checkChainsInWorkers`: it receives batches of events (stored or exported JSON text, one string
 * per batch with each event's length and position) of the chains routed to it, always in each chain's order, and runs the SAME per-chain code
 * as the serial verifier on them (`parseEvent`, then `ChainCheck.check`). It answers once, at the end, with the
 * first failure it found, by position.
 */

/**
 * A batch of events sent to the worker: their texts one after another in `text`, the length of each in `lengths`
 * and its position in `positions`; `done` asks for the answer.
 */
export type ChainWorkerMessage =
  | { kind: 'events'; text: string; lengths: Uint32Array; positions: Float64Array }
  | { kind: 'done' };

/** The worker's answer: events checked, and the first failure (by position) with its position. */
export interface ChainWorkerAnswer {
  events: number;
  failure?: { position: number; failure: VerificationFailure };
}

const check = new ChainCheck();
let events = 0;
let first: ChainWorkerAnswer['failure'];

parentPort?.on('message', (message: ChainWorkerMessage) => {
  if (message.kind === 'done') {
    const answer: ChainWorkerAnswer = { events, ...(first ? { failure: first } : {}) };
    parentPort?.postMessage(answer);
    return;
  }
  let start = 0;
  for (let i = 0; i < message.lengths.length && first === undefined; i += 1) {
    const end = start + (message.lengths[i] as number);
    const event: LineageEvent | undefined = parseEvent(message.text.slice(start, end));
    start = end;
    const failure: VerificationFailure | undefined =
      event === undefined
        ? { code: 'BODY_MALFORMED', seq: 0, message: 'The event is not a lineage event' }
        : check.check(event);
    events += 1;
    if (failure) first = { position: message.positions[i] as number, failure };
  }
});
