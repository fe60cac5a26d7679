import type { ExecuteReceipt, PreflightResult } from '@handoff/automation-adapter';
import { AdapterError } from '@handoff/automation-adapter';

/**
 * What one attempt at one action came to. `preflight`: what the adapter's preflight found (the platform's figures
 * on a pass; the issues and figures of a refusal, which never reached `execute`).
 */
export type AttemptOutcome =
  | { kind: 'succeeded'; receipt: ExecuteReceipt; preflight?: Record<string, unknown> }
  | { kind: 'failed'; error: AdapterError; preflight?: Extract<PreflightResult, { ok: false }> };

/**
 * Normalises anything an adapter threw into an {@link AdapterError}: adapters must throw only `AdapterError`, and
 * anything else is a bug in the adapter, treated as a permanent failure whose fate at the platform is unknown
 * (`IN_DOUBT`) when the adapter cannot dedupe, since the request may have left.
 */
export function toAdapterError(error: unknown, deduped: boolean): AdapterError {
  if (error instanceof AdapterError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return deduped
    ? new AdapterError('PLATFORM_UNAVAILABLE', `Adapter failed unexpectedly: ${message}`, {
        retryable: true,
        cause: error,
      })
    : new AdapterError('IN_DOUBT', `Adapter failed unexpectedly: ${message}`, { cause: error });
}

/** The lineage-safe summary of an adapter error: codes and platform facts, never payloads or credentials. */
export function errorFacts(error: AdapterError): Record<string, unknown> {
  return {
    code: error.code,
    retryable: error.retryable,
    message: error.message.slice(0, 500),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.platform.status === undefined ? {} : { platformStatus: error.platform.status }),
    ...(error.platform.platformCode ? { platformCode: error.platform.platformCode } : {}),
    ...(error.platform.requestId ? { platformRequestId: error.platform.requestId } : {}),
  };
}
