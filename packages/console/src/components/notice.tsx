/** A refusal or failure shown to people: the gateway's code and message, never a token. */
import { RpcError } from '../lib/rpc.js';

/** Codes that mean the page no longer shows what the gateway holds: reload before deciding. */
const STALE_CODES = new Set([
  'APPROVAL_VIEW_STALE',
  'APPROVAL_VIEW_MISMATCH',
  'PLAN_NOT_AWAITING_APPROVAL',
  'PLAN_STATE_CONFLICT',
  'APPROVAL_STALE',
  'APPROVAL_CHALLENGE_EXPIRED',
  'APPROVAL_REPLAYED',
]);

/** True when `error` says the page is stale (the plan or its view changed since it was rendered). */
export function isStale(error: unknown): boolean {
  return (
    error instanceof RpcError &&
    (STALE_CODES.has(error.code) || /stale|changed/i.test(error.message))
  );
}

/** One line for people describing `error`. */
export function describe(error: unknown): string {
  if (error instanceof RpcError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" data-testid="error">
      {isStale(error)
        ? 'This page is out of date and was not signed: reload it to see the plan as it is now. '
        : ''}
      {describe(error)}
    </p>
  );
}
