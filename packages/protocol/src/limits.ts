/**
 * Size bounds of v1 documents. Each is enforced by the zod schemas and stated in the generated JSON Schema, except
 * {@link MAX_DOCUMENT_BYTES}, which JSON Schema cannot express (see `JSON_SCHEMA_UNEXPRESSED_CODES`).
 */
export const LIMITS = {
  /** Largest document, in bytes of its UTF-8 JSON text (as received, or `JSON.stringify` of an in-memory value). */
  MAX_DOCUMENT_BYTES: 524_288,
  /** Strategy options per plan. */
  MAX_OPTIONS: 10,
  /** Actions per strategy option. */
  MAX_ACTIONS_PER_OPTION: 50,
  /** Contacts named in one action. */
  MAX_CONTACTS_PER_ACTION: 1_000,
  /** Evidence items per strategy option. */
  MAX_EVIDENCE: 50,
  /** Inputs (datasets or signals) per plan. */
  MAX_INPUTS: 50,
  /** Channels per strategy option. */
  MAX_CHANNELS: 12,
  /** Risk factors per strategy option. */
  MAX_RISK_FACTORS: 20,
  /** Audience criteria per strategy option. */
  MAX_CRITERIA: 50,
  /** Identifiers (tenant, option, action, segment and platform object ids), in characters. */
  MAX_ID_LENGTH: 128,
  /** Names and titles, in characters. */
  MAX_NAME_LENGTH: 200,
  /** Free text (rationale, messages, descriptions), in characters. */
  MAX_TEXT_LENGTH: 4_000,
  /** URIs and URLs, in characters. */
  MAX_URI_LENGTH: 2_048,
  /** Issues carried by one error envelope. */
  MAX_ISSUES: 100,
} as const;
