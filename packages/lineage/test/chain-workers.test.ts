import type { LineageEvent } from '@handoff/protocol';
import { describe, expect, it } from 'vitest';
import { ChainCheck, chainEvents, chainKey, checkChainsInWorkers } from '../src/index.js';
import { draft } from './drafts.js';

/** Twelve plans' chains of three events each, interleaved, after two format-1 events. */
function lineage(): LineageEvent[] {
  const old = chainEvents(undefined, [draft('control.paused'), draft('control.resumed')], {
    format: 1,
  });
  const plans = Array.from({ length: 12 }, (_, i) =>
    chainEvents(undefined, [
      draft('plan.received', `01JABCDEFGHJKMNPQRSTVWXY${String(i).padStart(2, '0')}`),
      draft('approval.accepted', `01JABCDEFGHJKMNPQRSTVWXY${String(i).padStart(2, '0')}`),
      draft('dispatch.succeeded', `01JABCDEFGHJKMNPQRSTVWXY${String(i).padStart(2, '0')}`),
    ]),
  );
  const interleaved = [0, 1, 2].flatMap((step) =>
    plans.map((chain) => chain[step] as LineageEvent),
  );
  return [...old, ...interleaved];
}

function routed(events: readonly LineageEvent[]) {
  return events.map((event, position) => ({
    text: JSON.stringify(event),
    chain: chainKey(event),
    position,
  }));
}

describe('checkChainsInWorkers: chains on worker threads, the serial per-chain code', () => {
  it('checks every event of every chain', async () => {
    const events = lineage();
    expect(await checkChainsInWorkers(routed(events), 3)).toEqual({ events: events.length });
  });

  it('reports the first failure by position, as the serial check finds it', async () => {
    const events = lineage();
    events[20] = { ...(events[20] as LineageEvent), data: { forged: true } };
    events[30] = { ...(events[30] as LineageEvent), data: { forged: true } };
    const serial = new ChainCheck();
    const expected = events.map((e) => serial.check(e)).find((f) => f !== undefined);
    const report = await checkChainsInWorkers(routed(events), 3);
    expect(report.failure).toEqual({ position: 20, failure: expected });
    expect(report.failure?.failure.code).toBe('HASH_MISMATCH');
  });
});
