import type { z } from 'zod';
import { ApprovalClaimsSchema } from './approval.js';
import { DispatchReceiptSchema } from './dispatch-receipt.js';
import { ErrorEnvelopeSchema } from './error-envelope.js';
import { ProtocolValidationError, UnsupportedVersionError, UpgradeError } from './errors.js';
import type { ProtocolIssue } from './issue-codes.js';
import { LIMITS } from './limits.js';
import { LineageEventSchema } from './lineage-event.js';
import { HandoffPlanSchema } from './plan.js';
import { PolicyDecisionSchema } from './policy-decision.js';
import { DEFAULT_UPGRADES, type RawDocument, type UpgradeRegistry } from './upgrade.js';
import { isSupportedVersion, SUPPORTED_PROTOCOL_VERSIONS } from './version.js';
import { fromZodIssues } from './zod-issues.js';

/** The top-level documents of protocol v1 (every 1.x minor), by `kind`. Each has a JSON Schema and a conformance corpus. */
export const DOCUMENT_SCHEMAS = {
  HandoffPlan: HandoffPlanSchema,
  ApprovalClaims: ApprovalClaimsSchema,
  PolicyDecision: PolicyDecisionSchema,
  LineageEvent: LineageEventSchema,
  DispatchReceipt: DispatchReceiptSchema,
  ErrorEnvelope: ErrorEnvelopeSchema,
} as const;

/** The `kind` of a top-level document. */
export type DocumentKind = keyof typeof DOCUMENT_SCHEMAS;
/** The validated type of a document of `K`. */
export type DocumentOf<K extends DocumentKind> = z.infer<(typeof DOCUMENT_SCHEMAS)[K]>;
/** Every document kind, in a stable order. */
export const DOCUMENT_KINDS = Object.keys(DOCUMENT_SCHEMAS) as DocumentKind[];

/** Options of {@link safeParseDocument}. */
export interface ParseOptions {
  /** Largest accepted document, in bytes of UTF-8 JSON. Default `LIMITS.MAX_DOCUMENT_BYTES` (524,288). */
  maxBytes?: number;
  /** Upgrade functions for older versions. Default: {@link DEFAULT_UPGRADES}. */
  upgrades?: UpgradeRegistry;
}

/** The outcome of a safe parse: the typed document, or the error that would have been thrown. */
export type ParseResult<T> =
  | { success: true; data: T }
  | { success: false; error: ProtocolValidationError | UnsupportedVersionError };

function fail(
  kind: string,
  issue: ProtocolIssue,
): { success: false; error: ProtocolValidationError } {
  return { success: false, error: new ProtocolValidationError(kind, [issue]) };
}

function byteLength(input: unknown): number | undefined {
  try {
    const text = JSON.stringify(input);
    return text === undefined ? undefined : Buffer.byteLength(text, 'utf8');
  } catch {
    return undefined;
  }
}

/** Validates an already measured value: version, upgrade, then the schema with its cross-field rules. */
function validate<K extends DocumentKind>(
  kind: K,
  input: unknown,
  options: ParseOptions,
): ParseResult<DocumentOf<K>> {
  let candidate = input;
  const version =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? (input as RawDocument).protocolVersion
      : undefined;
  // A missing (or undefined) version is a shape issue, REQUIRED. A supported version (every minor of the current
  // major) is validated as received: its digest and signatures stay those of the document sent. Any other
  // version needs an upgrade path.
  if (version !== undefined) {
    if (!isSupportedVersion(version)) {
      const upgrades = options.upgrades ?? DEFAULT_UPGRADES;
      if (typeof version !== 'string' || !upgrades.canUpgrade(kind, version)) {
        const older = upgrades.versionsFor(kind).filter((v) => !isSupportedVersion(v));
        const supported = [...SUPPORTED_PROTOCOL_VERSIONS, ...older];
        return { success: false, error: new UnsupportedVersionError(version, supported) };
      }
      try {
        candidate = upgrades.upgrade(kind, input as RawDocument);
      } catch (error) {
        const message = error instanceof UpgradeError ? error.message : String(error);
        return fail(kind, { path: '/protocolVersion', code: 'UNSUPPORTED_VERSION', message });
      }
    }
  }
  const result = DOCUMENT_SCHEMAS[kind].safeParse(candidate, { reportInput: true });
  if (result.success) return { success: true, data: result.data as DocumentOf<K> };
  return {
    success: false,
    error: new ProtocolValidationError(kind, fromZodIssues(result.error.issues)),
  };
}

/**
 * Validates a document of `kind` given as a parsed JSON value. Checks, in order: size (`DOCUMENT_TOO_LARGE`,
 * measured on `JSON.stringify`), `protocolVersion` (`UNSUPPORTED_VERSION`, after trying registered upgrades), then
 * shape and cross-field rules. Never throws for bad input.
 */
export function safeParseDocument<K extends DocumentKind>(
  kind: K,
  input: unknown,
  options: ParseOptions = {},
): ParseResult<DocumentOf<K>> {
  const maxBytes = options.maxBytes ?? LIMITS.MAX_DOCUMENT_BYTES;
  const size = byteLength(input);
  if (size === undefined) {
    return fail(kind, { path: '', code: 'INVALID_JSON', message: 'Not representable as JSON' });
  }
  if (size > maxBytes) {
    const message = `Document is ${size} bytes; the limit is ${maxBytes}`;
    return fail(kind, { path: '', code: 'DOCUMENT_TOO_LARGE', message });
  }
  return validate(kind, input, options);
}

/**
 * Validates a document of `kind` given as JSON text or UTF-8 bytes, as received on the wire. The size limit is
 * checked on the raw bytes before parsing; malformed JSON or invalid UTF-8 fails with `INVALID_JSON`.
 */
export function safeParseDocumentJson<K extends DocumentKind>(
  kind: K,
  json: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<DocumentOf<K>> {
  const maxBytes = options.maxBytes ?? LIMITS.MAX_DOCUMENT_BYTES;
  const size = typeof json === 'string' ? Buffer.byteLength(json, 'utf8') : json.byteLength;
  if (size > maxBytes) {
    const message = `Document is ${size} bytes; the limit is ${maxBytes}`;
    return fail(kind, { path: '', code: 'DOCUMENT_TOO_LARGE', message });
  }
  let value: unknown;
  try {
    const text =
      typeof json === 'string' ? json : new TextDecoder('utf-8', { fatal: true }).decode(json);
    value = JSON.parse(text);
  } catch (error) {
    return fail(kind, {
      path: '',
      code: 'INVALID_JSON',
      message: `Not valid JSON: ${(error as Error).message}`,
    });
  }
  return validate(kind, value, options);
}

function orThrow<T>(result: ParseResult<T>): T {
  if (result.success) return result.data;
  throw result.error;
}

/**
 * Like {@link safeParseDocument} but returns the document or throws.
 * @throws ProtocolValidationError (`VALIDATION_FAILED`, with `issues`) or UnsupportedVersionError
 *   (`UNSUPPORTED_VERSION`, with `supported`).
 */
export function parseDocument<K extends DocumentKind>(
  kind: K,
  input: unknown,
  options?: ParseOptions,
): DocumentOf<K> {
  return orThrow(safeParseDocument(kind, input, options));
}

/** Like {@link safeParseDocumentJson} but returns the document or throws (see {@link parseDocument}). */
export function parseDocumentJson<K extends DocumentKind>(
  kind: K,
  json: string | Uint8Array,
  options?: ParseOptions,
): DocumentOf<K> {
  return orThrow(safeParseDocumentJson(kind, json, options));
}
