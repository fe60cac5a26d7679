import { type CurrencyCode, currencyExponent, isCurrencyCode } from '@handoff/protocol';
import type { Clock } from '../clock.js';
import type { GatewayStore } from '../store/store.js';
import type { StoreStateSnapshot } from '../store/store-status.js';
import type { StateSnapshot, StateSource } from './metrics-state.js';

/** Minor units as major units of `currency` (2 decimals when the code is not one we know). */
function major(amountMinor: bigint | number, currency: string): number {
  const exponent = isCurrencyCode(currency) ? currencyExponent(currency as CurrencyCode) : 2;
  return Number(amountMinor) / 10 ** exponent;
}

/** The gauges' figures of a store's snapshot taken at `nowMs` (epoch ms): amounts in major units, age in s. */
function gaugeFigures(snapshot: StoreStateSnapshot, nowMs: number): StateSnapshot {
  const oldest = snapshot.oldestWaitingOutboxAt;
  return {
    plans: snapshot.plans.map((p) => ({ tenant: p.tenantId, state: p.state, count: p.count })),
    outbox: snapshot.outbox.map((o) => ({ status: o.status, count: o.count })),
    oldestOutboxAgeSeconds: oldest === null ? 0 : Math.max(0, nowMs - oldest) / 1000,
    caps: snapshot.caps.map(({ cap, reservedMinor, committedMinor }) => ({
      tenant: cap.tenantId,
      cap: cap.capId,
      period: cap.period,
      currency: cap.currency,
      limit: major(cap.limitMinor, cap.currency),
      reserved: major(reservedMinor, cap.currency),
      committed: major(committedMinor, cap.currency),
    })),
    killSwitches: snapshot.controls.map((k) => ({
      tenant: k.tenantId,
      scopeType: k.scopeType,
      count: k.count,
    })),
  };
}

/**
 * Reads the gauges' state from a gateway's store, whatever its dialect (`GatewayStore.stateSnapshot`: one
 * committed state, never a transaction in progress), at the clock's now (the budget's current period, the
 * outbox age).
 */
export function storeStateSource(store: GatewayStore, clock: Clock): StateSource {
  return {
    read: async () => {
      const now = clock.now();
      return gaugeFigures(await store.stateSnapshot(now), now);
    },
  };
}
