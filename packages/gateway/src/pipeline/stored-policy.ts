import { loadPolicySet, type PolicySet } from '../policy/policy-set.js';
import type { StoreTx } from '../store/store.js';
import { parseStoredDocument } from '../store/stored-document.js';

/** Policy sets read back by digest in this process (a digest never changes meaning). */
const sets = new Map<string, PolicySet>();
const MAX_REMEMBERED = 64;

/** Remembers a policy set under its digest (`policyVersion`), e.g. the active one at start. */
export function rememberPolicySet(digest: string, set: PolicySet): void {
  if (sets.size >= MAX_REMEMBERED) sets.clear();
  sets.set(digest, set);
}

/**
 * The policy set stored once under `digest` (its `PolicySet` payload, RFC 8785 JSON), checked against the digest
 * and parsed once per process.
 *
 * @throws GatewayError `INTERNAL` when the stored set does not hash to `digest`; Error when it is not stored.
 */
export async function storedPolicySet(tx: StoreTx, digest: string): Promise<PolicySet> {
  const known = sets.get(digest);
  if (known) return known;
  const body = await tx.getPayload(digest);
  if (body === undefined) throw new Error(`Policy set ${digest} is not stored`);
  parseStoredDocument<unknown>(digest, body, 'Policy set');
  const set = loadPolicySet(body, 'json');
  rememberPolicySet(digest, set);
  return set;
}
