import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { LineageEvent } from './lineage-event.js';
import type { HandoffPlan } from './plan.js';

/** A SHA-256 digest rendered as `sha256:` and 64 lower-case hex digits. */
export type Digest = `sha256:${string}`;

/**
 * Serialises a JSON value in the RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by UTF-16
 * code units, numbers in ECMAScript shortest form, no insignificant white space
 * (https://www.rfc-editor.org/rfc/rfc8785). Uses the `canonicalize` package.
 *
 * @throws TypeError when `value` is not representable in JSON: `undefined` at the top level, a function, a
 *   bigint, NaN or an infinity, a lone surrogate in a string, or a circular reference.
 */
export function canonicalJson(value: unknown): string {
  assertNoFunctions(value, new Set());
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    throw new TypeError(`Value has no RFC 8785 form: ${(cause as Error).message}`, { cause });
  }
  if (text === undefined) throw new TypeError('Value has no RFC 8785 form: not a JSON value');
  return text;
}

/**
 * Refuses what `canonicalize` would render as text that is not JSON: a function or symbol inside a container
 * (rendered `undefined`) and a hole in a sparse array (rendered `[,1]`). Follows `toJSON` as serialisation does.
 * Cycles are left to `canonicalize`, which reports them.
 */
function assertNoFunctions(value: unknown, seen: Set<object>): void {
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`Value has no RFC 8785 form: a ${typeof value}`);
  }
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    seen.add(value);
    assertNoFunctions((withToJson.toJSON as () => unknown).call(value), seen);
    seen.delete(value);
    return;
  }
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      if (!(i in value)) throw new TypeError('Value has no RFC 8785 form: a sparse array');
      assertNoFunctions(value[i], seen);
    }
  } else {
    for (const item of Object.values(value)) assertNoFunctions(item, seen);
  }
  seen.delete(value);
}

/** SHA-256 of UTF-8 text or bytes, rendered as `sha256:<64 hex>`. */
export function sha256Digest(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** `sha256:<hex>` of the RFC 8785 canonical form of any JSON document. @throws TypeError as {@link canonicalJson}. */
export function documentDigest(document: unknown): Digest {
  return sha256Digest(canonicalJson(document));
}

/**
 * The digest that identifies a plan: SHA-256 over its RFC 8785 canonical JSON, as `sha256:<hex>`. Approvals bind
 * to it, so any change to a plan (even key order does not count; any value does) invalidates them.
 *
 * @throws TypeError when the plan holds a value with no JSON form (see {@link canonicalJson}).
 */
export function planDigest(plan: HandoffPlan): Digest {
  return documentDigest(plan);
}

/**
 * The hash of a lineage event: SHA-256 over the RFC 8785 form of the event without its `hash` member.
 * A verifier recomputes it for every event and checks that each `prevHash` equals the previous event's `hash`.
 */
export function lineageEventHash(event: Omit<LineageEvent, 'hash'> | LineageEvent): Digest {
  const { hash: _ignored, ...rest } = event as LineageEvent;
  return documentDigest(rest);
}
