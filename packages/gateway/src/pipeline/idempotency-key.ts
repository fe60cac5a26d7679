import { sha256Digest } from '@handoff/protocol';

/**
 * The idempotency key of one action: derived only from the plan digest, the option and the action's index, so
 * every retry, every restart and every gateway replica computes the same key for the same action, and a changed
 * plan (new digest) never reuses one. Rendered as `hof_` and 40 hex digits (44 characters), short enough for
 * every platform's idempotency header.
 */
export function actionIdempotencyKey(
  planDigest: string,
  optionId: string,
  actionIndex: number,
): string {
  return `hof_${sha256Digest(`${planDigest}\n${optionId}\n${actionIndex}`).slice('sha256:'.length, 47)}`;
}
