/**
 * The pinned list of issue codes a v1 document can be rejected with. Adding a code is an additive (minor) change;
 * renaming or removing one needs a new major version.
 */
export const PROTOCOL_ISSUE_CODES = [
  // Document level
  'INVALID_JSON',
  'DOCUMENT_TOO_LARGE',
  'UNSUPPORTED_VERSION',
  // Shape (JSON Schema expresses all of these)
  'REQUIRED',
  'INVALID_TYPE',
  'INVALID_VALUE',
  'INVALID_FORMAT',
  'INVALID_DISCRIMINATOR',
  'UNRECOGNIZED_KEY',
  'TOO_SMALL',
  'TOO_BIG',
  'NOT_INTEGER',
  'DUPLICATE_ITEM',
  'FORBIDDEN_KEY',
  'MISSING_ONE_OF',
  'INVALID_INPUT',
  // Money
  'MONEY_NOT_INTEGER',
  'MONEY_NEGATIVE',
  'MONEY_UNSAFE_INTEGER',
  'UNKNOWN_CURRENCY',
  // Cross-field rules (JSON Schema cannot express these)
  'RECOMMENDED_OPTION_NOT_FOUND',
  'DUPLICATE_OPTION_ID',
  'DUPLICATE_ACTION_ID',
  'ACTIONS_EXCEED_BUDGET',
  'CURRENCY_MISMATCH',
  'FORECAST_NOT_MONOTONIC',
  'EXPIRY_NOT_AFTER_CREATION',
  'UNKNOWN_INPUT_REFERENCE',
  'DUPLICATE_INPUT_ID',
  // Versions (1.1): a member a later minor version added, in a document declaring an older one
  'REQUIRES_NEWER_VERSION',
] as const;

/** A code from {@link PROTOCOL_ISSUE_CODES}. */
export type ProtocolIssueCode = (typeof PROTOCOL_ISSUE_CODES)[number];

/**
 * The issue codes that only the zod schemas (and so every conforming validator) enforce: JSON Schema 2020-12
 * cannot state them. These are the only allowed disagreements between zod and the generated JSON Schema; the
 * conformance corpus proves it.
 */
export const JSON_SCHEMA_UNEXPRESSED_CODES = [
  'DOCUMENT_TOO_LARGE',
  'RECOMMENDED_OPTION_NOT_FOUND',
  'DUPLICATE_OPTION_ID',
  'DUPLICATE_ACTION_ID',
  'ACTIONS_EXCEED_BUDGET',
  'CURRENCY_MISMATCH',
  'FORECAST_NOT_MONOTONIC',
  'EXPIRY_NOT_AFTER_CREATION',
  'UNKNOWN_INPUT_REFERENCE',
  'DUPLICATE_INPUT_ID',
  'REQUIRES_NEWER_VERSION',
] as const satisfies readonly ProtocolIssueCode[];

/**
 * One reason a document was rejected.
 *
 * - `path`: a JSON Pointer (RFC 6901) to the offending value, `""` for the whole document.
 * - `code`: a stable {@link ProtocolIssueCode}.
 * - `message`: for people; may change between releases.
 */
export interface ProtocolIssue {
  path: string;
  code: ProtocolIssueCode;
  message: string;
}
