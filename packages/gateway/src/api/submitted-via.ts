import { decodeSubmittedVia, SUBMITTED_VIA_HEADER, type SubmittedVia } from '@handoff/protocol';
import { GatewayError } from '../errors.js';

/**
 * The `submittedVia` option of `Gateway.submitPlan` from the raw `x-handoff-submitted-via` header of an
 * authenticated `plans.submit` request (`SUBMITTED_VIA_HEADER`): `{}` when absent, `{ submittedVia }` when well
 * formed. Only called inside an authenticated procedure, so an unauthenticated caller cannot reach the lineage.
 *
 * @throws GatewayError `VALIDATION_FAILED` (one issue at path `""`, code `INVALID_VALUE`, naming the accepted
 *   form) when the header is present but not a `SubmittedVia`; nothing is written.
 */
export function submittedViaOf(header: string | undefined): { submittedVia?: SubmittedVia } {
  const decoded = decodeSubmittedVia(header);
  if (decoded === undefined) return {};
  if ('error' in decoded) {
    throw new GatewayError('VALIDATION_FAILED', `Bad ${SUBMITTED_VIA_HEADER} header`, {
      issues: [{ path: '', code: 'INVALID_VALUE', message: decoded.error }],
    });
  }
  return { submittedVia: decoded };
}

/** One header's text: a repeated header (an array) as Node joins other headers, `undefined` when absent. */
export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
