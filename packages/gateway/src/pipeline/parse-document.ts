import { type DocumentKind, type DocumentOf, safeParseDocument } from '@handoff/protocol';
import { GatewayError } from '../errors.js';

/**
 * Parses and validates a contract document of `kind` (a plan, an outcome report) as the protocol requires, with
 * nothing written on failure; issues point into the document (JSON Pointers).
 *
 * @throws GatewayError `VALIDATION_FAILED` (with protocol issues) or `UNSUPPORTED_VERSION` (with
 *   `details.supportedVersions`).
 */
export function parseContractDocument<K extends DocumentKind>(
  kind: K,
  input: unknown,
): DocumentOf<K> {
  const parsed = safeParseDocument(kind, input);
  if (parsed.success) return parsed.data;
  const { error } = parsed;
  if (error.code === 'UNSUPPORTED_VERSION') {
    throw new GatewayError('UNSUPPORTED_VERSION', error.message, {
      issues: error.issues,
      details: { supportedVersions: [...error.supported] },
    });
  }
  throw new GatewayError('VALIDATION_FAILED', error.message, { issues: error.issues });
}
