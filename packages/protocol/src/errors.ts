import type { ProtocolIssue, ProtocolIssueCode } from './issue-codes.js';

/**
 * Base of every error this package throws. `code` is stable and narrows the error in a `switch`:
 *
 * ```ts
 * if (err instanceof ProtocolError) switch (err.code) { case 'UNSUPPORTED_VERSION': err.supported; ... }
 * ```
 *
 * These are local errors; their wire form is the `ErrorEnvelope` document (see `toErrorEnvelope`).
 */
export abstract class ProtocolError extends Error {
  abstract readonly code: 'VALIDATION_FAILED' | 'UNSUPPORTED_VERSION' | 'UPGRADE_FAILED';
  /** Structured reasons, each with a JSON Pointer path. Never empty for validation errors. */
  readonly issues: readonly ProtocolIssue[];

  protected constructor(message: string, issues: readonly ProtocolIssue[]) {
    super(message);
    this.name = new.target.name;
    this.issues = issues;
  }
}

/** Summarises issues for `Error.message`: the first three, then a count. */
function summarise(kind: string, issues: readonly ProtocolIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.code} at ${i.path || '/'}: ${i.message}`);
  const more = issues.length > 3 ? ` (+${issues.length - 3} more)` : '';
  return `Invalid ${kind}: ${shown.join('; ')}${more}`;
}

/** A document failed validation. Thrown by `parse*` functions; `ZodError` never leaves this package. */
export class ProtocolValidationError extends ProtocolError {
  readonly code = 'VALIDATION_FAILED' as const;
  /** The document kind that was being validated, e.g. `HandoffPlan`. */
  readonly documentKind: string;

  constructor(documentKind: string, issues: readonly ProtocolIssue[]) {
    super(summarise(documentKind, issues), issues);
    this.documentKind = documentKind;
  }

  /** The distinct issue codes, in order of first appearance. */
  get codes(): ProtocolIssueCode[] {
    return [...new Set(this.issues.map((i) => i.code))];
  }
}

/** A document declared a `protocolVersion` this package does not support. */
export class UnsupportedVersionError extends ProtocolError {
  readonly code = 'UNSUPPORTED_VERSION' as const;
  /** The version the document declared (as found, which may not be a string). */
  readonly requested: unknown;
  /** The versions this package accepts, newest first. */
  readonly supported: readonly string[];

  constructor(requested: unknown, supported: readonly string[]) {
    const message = `Unsupported protocol version ${JSON.stringify(requested)}; supported: ${supported.join(', ')}`;
    super(message, [{ path: '/protocolVersion', code: 'UNSUPPORTED_VERSION', message }]);
    this.requested = requested;
    this.supported = supported;
  }
}

/** An upgrade function failed or produced an invalid document. */
export class UpgradeError extends ProtocolError {
  readonly code = 'UPGRADE_FAILED' as const;

  constructor(message: string, issues: readonly ProtocolIssue[] = []) {
    super(message, issues);
  }
}

/** Every error this package throws, as a union that `switch (err.code)` narrows. */
export type AnyProtocolError = ProtocolValidationError | UnsupportedVersionError | UpgradeError;
