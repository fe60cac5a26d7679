import { sendKeys } from '../policy/recipients.js';
import type { SendRecord } from '../store/store.js';
import type { ClaimedAction } from './claim-action.js';

/**
 * The sends a successful dispatch of `claimed` counts for the frequency caps: one record per recipient key (see
 * `sendKeys`: each named contact by hash, or the segment) and channel of the action's option; none for an action
 * that sends no message. `atMs` is when the platform confirmed it (epoch ms).
 */
export function sendRecordsOf(claimed: ClaimedAction, atMs: number): SendRecord[] {
  const { row, plan, action } = claimed;
  const option = plan.options.find((o) => o.optionId === row.optionId);
  if (option === undefined) return [];
  return sendKeys(action, option).flatMap((recipientKey) =>
    option.channels.map((channel) => ({
      tenantId: row.tenantId,
      recipientKey,
      channel,
      idempotencyKey: row.idempotencyKey,
      planId: row.planId,
      sentAt: atMs,
    })),
  );
}
