import { z } from 'zod';
import { type ProtocolError, UnsupportedVersionError } from './errors.js';
import { LIMITS } from './limits.js';
import { TextSchema } from './primitives.js';
import { HANDOFF_PROTOCOL_VERSION, ProtocolVersionSchema } from './version.js';

/** An issue on the wire: a JSON Pointer `path`, a stable `code`, a `message` for people. */
export const WireIssueSchema = z
  .strictObject({
    path: z
      .string()
      .max(1024)
      .regex(/^(?:\/[\s\S]*)?$/),
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .max(64),
    message: TextSchema,
  })
  .meta({ id: 'WireIssue' });

/**
 * The error body every Handoff endpoint returns: a stable `code` (a gateway code such as `VALIDATION_FAILED`,
 * `UNSUPPORTED_VERSION`, `BUDGET_EXCEEDED`), a `message`, the `issues` behind it and, for `UNSUPPORTED_VERSION`,
 * the versions the server supports.
 */
export const ErrorEnvelopeSchema = z
  .strictObject({
    protocolVersion: ProtocolVersionSchema,
    kind: z.literal('ErrorEnvelope'),
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .max(64),
    message: TextSchema,
    issues: z.array(WireIssueSchema).max(LIMITS.MAX_ISSUES),
    supportedVersions: z.array(z.string().max(16)).min(1).max(20).optional(),
    requestId: z.string().max(128).optional(),
  })
  .meta({
    id: 'ErrorEnvelope',
    title: 'ErrorEnvelope',
    description: 'The wire form of an error (Handoff protocol v1).',
  });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/** The envelope's `supportedVersions` (1-20 names of at most 16 characters), or nothing. */
function supportedVersionsOf(error: ProtocolError): { supportedVersions?: string[] } {
  if (!(error instanceof UnsupportedVersionError)) return {};
  const versions = error.supported.filter((v) => v.length <= 16).slice(0, 20);
  return versions.length > 0 ? { supportedVersions: versions } : {};
}

/** Cuts text to at most `max` UTF-16 units without splitting a surrogate pair. */
function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/**
 * Converts a local {@link ProtocolError} into its wire form. Issues past `LIMITS.MAX_ISSUES` are dropped and
 * messages are cut to the envelope's bounds, so the result always validates.
 */
export function toErrorEnvelope(error: ProtocolError, requestId?: string): ErrorEnvelope {
  const cut = (text: string, max: number = LIMITS.MAX_TEXT_LENGTH) => cutText(text, max);
  return {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'ErrorEnvelope',
    code: error.code,
    message: cut(error.message || error.code),
    issues: error.issues.slice(0, LIMITS.MAX_ISSUES).map((i) => ({
      path: cut(i.path, 1024),
      code: i.code,
      message: cut(i.message || i.code),
    })),
    ...supportedVersionsOf(error),
    ...(requestId === undefined ? {} : { requestId: cut(requestId, 128) }),
  };
}
