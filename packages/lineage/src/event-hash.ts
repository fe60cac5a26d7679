import { createHash } from 'node:crypto';
import type { Digest, LineageEvent } from '@handoff/protocol';
import canonicalize from 'canonicalize';

/**
 * The hash of a lineage event: SHA-256 (`node:crypto`) over the RFC 8785 JSON Canonicalization Scheme form
 * (https://www.rfc-editor.org/rfc/rfc8785, by the `canonicalize` package) of the event without its `hash`
 * member, rendered `sha256:<64 lower-case hex>`. The one function the gateway's writer and the verifier share;
 * the same for format-1 events (no `chain` member) and format-2 events.
 *
 * @param event - a lineage event, with or without `hash` (any other member counts, unknown ones too).
 * @throws TypeError when the event has no RFC 8785 form (a bigint, NaN or an infinity, a cycle, ...).
 */
export function eventHash(event: Readonly<Record<string, unknown>>): Digest {
  const { hash: _ignored, ...rest } = event;
  let text: string | undefined;
  try {
    text = canonicalize(rest);
  } catch (cause) {
    throw new TypeError(`A lineage event has no RFC 8785 form: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (text === undefined) throw new TypeError('A lineage event has no RFC 8785 form');
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** The chain a format-2 event belongs to: its plan's, or its tenant's for events of no plan. */
export type LineageChain = NonNullable<LineageEvent['chain']>;

/**
 * The identity of the hash chain an event hangs off: `plan:<tenantId>/<planId>` or `tenant:<tenantId>` for a
 * format-2 event (one with a `chain` member), `global` for a format-1 event (one chain for the whole lineage).
 * Plan ids are per tenant, so a plan chain is named by both; tenant ids (protocol `Identifier`) and plan ids hold
 * no `/`, so the key is unambiguous.
 */
export function chainKey(
  event: Pick<LineageEvent, 'chain' | 'tenantId'> & { planId?: string | undefined },
): string {
  if (event.chain === undefined) return 'global';
  return event.chain === 'plan'
    ? `plan:${event.tenantId}/${event.planId ?? ''}`
    : `tenant:${event.tenantId}`;
}
