import type { LineageEvent } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { planSignerThumbprint } from '../../src/provenance/plan-signer.js';
import type { StoreTx } from '../../src/store/store.js';

/**
 * The signer of a plan (separation of duties at approval): a format-2 plan records it in its `plan.received`
 * event alone, so nothing else is read for it; a format-1 plan's signer is its `plan.provenance_verified` event.
 */

const record = { tenantId: 'acme-bank', planId: '019a8f2e-5c4b-7d3e-9a1f-00000000000a' };

/** A transaction that answers the two reads the signer lookup may make, and counts them. */
function fakeTx(provenanceEvent: Pick<LineageEvent, 'data'> | undefined) {
  const reads: string[] = [];
  const tx = {
    lastPlanEvent: async (_tenant: string, _plan: string, type: string) => {
      reads.push(type);
      return provenanceEvent;
    },
    getKey: async () => undefined,
  } as unknown as StoreTx;
  return { tx, reads };
}

const received = (chain: 'plan' | undefined, data: Record<string, unknown>) =>
  ({ ...(chain ? { chain } : {}), type: 'plan.received', data }) as unknown as LineageEvent;

describe('planSignerThumbprint', () => {
  test('an unsigned format-2 plan has no signer, and no other event is read for it', async () => {
    const { tx, reads } = fakeTx({ data: { kid: 'copilot-key' } });
    await expect(planSignerThumbprint(tx, record, received('plan', {}))).resolves.toBeUndefined();
    expect(reads).toEqual([]);
  });

  test('a format-1 plan is looked up by its plan.provenance_verified event', async () => {
    const { tx, reads } = fakeTx({ data: { kid: 'copilot-key' } });
    await expect(
      planSignerThumbprint(tx, record, received(undefined, {})),
    ).resolves.toBeUndefined();
    expect(reads).toEqual(['plan.provenance_verified']);
  });
});
