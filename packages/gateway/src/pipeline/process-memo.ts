import type { GatewayStore } from '../store/store.js';

/*
 * What this process knows is already in its store and need not be written again: the policy set stored once per
 * digest, the public keys remembered once per kid. A name is marked only after the transaction that wrote it
 * committed (`markStored`), so a rolled-back write is written again by the next request. Kept per store, so two
 * gateways in one process (tests) never share what they know.
 */

const known = new WeakMap<GatewayStore, Set<string>>();

/** True when `name` was written to `store` by a transaction of this process that committed. */
export function isStored(store: GatewayStore, name: string): boolean {
  return known.get(store)?.has(name) ?? false;
}

/** Marks names as written to `store`: call after the transaction that wrote them committed. */
export function markStored(store: GatewayStore, names: readonly string[]): void {
  if (names.length === 0) return;
  let set = known.get(store);
  if (!set) {
    set = new Set();
    known.set(store, set);
  }
  for (const name of names) set.add(name);
}

/** The name of a remembered public key (purpose, tenant, kid). */
export function keyName(purpose: string, tenantId: string, kid: string): string {
  return `key\n${purpose}\n${tenantId}\n${kid}`;
}

/** The name of a stored policy set (its digest). */
export function policyName(digest: string): string {
  return `policy\n${digest}`;
}
