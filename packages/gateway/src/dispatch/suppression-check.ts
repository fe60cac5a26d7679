import type { HandoffPlan } from '@handoff/protocol';
import { SYSTEM_ACTOR } from '../pipeline/deps.js';
import type { SuppressionLookup } from '../policy/policy-facts.js';
import type { Rule } from '../policy/rule.js';
import { suppressedContacts, suppressionListsFor } from '../policy/rules/suppression.js';
import type { OutboxRow, PlanRecord, StoreTx } from '../store/store.js';

/** What the dispatch-time suppression check needs: the active policy's rules and the lists. */
export interface DispatchSuppression {
  rules: readonly Rule[];
  lookup: SuppressionLookup;
}

/** The error code an action fails with when it names a suppressed contact. */
export const CONTACT_SUPPRESSED = 'CONTACT_SUPPRESSED';

/**
 * Checks the action of `row` against the suppression lists the active policy's binding `suppression` rules name
 * for `plan`, just before it is sent. A contact suppressed since the plan was approved stops it: the row becomes
 * a dead letter (`lastError` `CONTACT_SUPPRESSED`, never sent; an operator abandons it) with `dispatch.failed`
 * and `dispatch.dead_lettered`, both with code `CONTACT_SUPPRESSED` and how many contacts on which lists (never
 * who). Returns true when it stopped the row.
 *
 * @throws Error when a named list is not configured or cannot be read (the claim fails; nothing is sent).
 */
export async function stopIfSuppressed(
  tx: StoreTx,
  input: {
    row: OutboxRow;
    record: PlanRecord;
    plan: HandoffPlan;
    atMs: number;
    suppression: DispatchSuppression;
  },
): Promise<boolean> {
  const { row, record, plan, atMs, suppression } = input;
  const lists = suppressionListsFor(suppression.rules, plan);
  const option = plan.options.find((o) => o.optionId === row.optionId);
  if (lists.length === 0 || option === undefined) return false;
  const hits = suppressedContacts(option, lists, suppression.lookup, row.actionIndex);
  if (hits.length === 0) return false;
  await tx.updateOutbox(row.idempotencyKey, 'pending', {
    status: 'dead',
    lastError: CONTACT_SUPPRESSED,
    updatedAt: atMs,
  });
  const data = {
    idempotencyKey: row.idempotencyKey,
    actionIndex: row.actionIndex,
    actionId: row.actionId,
    adapter: row.adapter,
    code: CONTACT_SUPPRESSED,
  };
  const event = {
    tenantId: row.tenantId,
    planId: row.planId,
    actor: SYSTEM_ACTOR,
    occurredAt: atMs,
  };
  await tx.appendLineage([
    {
      ...event,
      type: 'dispatch.failed',
      refs: { plan: record.digest },
      data: {
        ...data,
        retryable: false,
        suppressedContacts: hits.length,
        lists: [...new Set(hits.map((hit) => hit.listId))],
      },
    },
    { ...event, type: 'dispatch.dead_lettered', refs: { plan: record.digest }, data },
  ]);
  return true;
}
