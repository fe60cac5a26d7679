/**
 * Builders of the four evidence types. They return plain objects shaped by the contract's types; their values
 * (lengths, URI characters, input references) are checked when the plan is validated (`validatePlan`), where every
 * issue carries a path and a hint. The builders never throw and never emit `undefined` members.
 */
import type { Evidence } from '@handoff/protocol';

/** The evidence variant of type `T`, e.g. `EvidenceOf<'citation'>`. */
export type EvidenceOf<T extends Evidence['type']> = Extract<Evidence, { type: T }>;

/** Copies `fields` without the keys whose value is `undefined`, so optional fields are absent, never undefined. */
function defined<T extends object>(fields: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/**
 * Evidence that names a client, e.g. in a case study: `{ type: "named_client", clientName, permissionToName, note? }`.
 * Policies may refuse claim-sensitive content (case studies, ads) naming a client without `permissionToName: true`.
 *
 * @param fields.clientName - 1-200 characters.
 * @param fields.permissionToName - whether the client agreed to be named.
 * @param fields.note - optional, 1-4,000 characters.
 */
export function namedClient(
  fields: Omit<EvidenceOf<'named_client'>, 'type'>,
): EvidenceOf<'named_client'> {
  return defined({ type: 'named_client' as const, ...fields });
}

/**
 * A measured outcome: `metric` reached `value` in `unit`, optionally from `baseline`, over `period`, for
 * `clientName`. E.g. `quantifiedOutcome({ metric: "subscription rate", value: 9.1, unit: "percent" })`.
 *
 * @param fields.value - any finite number, in `unit` (a name such as `percent`, `EUR`, `contacts`, `days`; money
 *   here is a plain figure for people, not contract `Money`).
 * @param fields.baseline - optional, same unit.
 */
export function quantifiedOutcome(
  fields: Omit<EvidenceOf<'quantified_outcome'>, 'type'>,
): EvidenceOf<'quantified_outcome'> {
  return defined({ type: 'quantified_outcome' as const, ...fields });
}

/**
 * A published source: `{ type: "citation", title, url, publisher?, accessedAt? }`.
 *
 * @param fields.url - an absolute URI in RFC 3986 characters (percent-encode spaces), at most 2,048 characters.
 * @param fields.accessedAt - optional RFC 3339 UTC timestamp (see `timestamp()`).
 */
export function citation(fields: Omit<EvidenceOf<'citation'>, 'type'>): EvidenceOf<'citation'> {
  return defined({ type: 'citation' as const, ...fields });
}

/**
 * A finding from one of the plan's inputs: `{ type: "dataset_reference", inputId, query?, finding }`. `inputId` must
 * name an entry of the plan's `inputs` (`UNKNOWN_INPUT_REFERENCE` otherwise).
 *
 * @param fields.finding - what the data showed, 1-4,000 characters, e.g. `"83 of 129 clients subscribed (64.3%)"`.
 * @param fields.query - optional: the query or slice used.
 */
export function datasetReference(
  fields: Omit<EvidenceOf<'dataset_reference'>, 'type'>,
): EvidenceOf<'dataset_reference'> {
  return defined({ type: 'dataset_reference' as const, ...fields });
}
