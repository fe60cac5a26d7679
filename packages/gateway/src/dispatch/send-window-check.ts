import type { HandoffPlan } from '@handoff/protocol';
import { Temporal } from 'temporal-polyfill';
import { SYSTEM_ACTOR } from '../pipeline/deps.js';
import { isSendAction } from '../policy/recipients.js';
import type { Rule } from '../policy/rule.js';
import { ruleApplies } from '../policy/rules/common.js';
import {
  evaluateSendWindow,
  insideWindow,
  recipientZones,
  type SendWindowRule,
} from '../policy/rules/send-window.js';
import type { OutboxRow, PlanRecord, StoreTx } from '../store/store.js';

/** The code a triggered send held (or dead-lettered) at dispatch for falling outside its send window carries. */
export const OUTSIDE_SEND_WINDOW = 'OUTSIDE_SEND_WINDOW';

/** How far ahead a window opening is looked for, in days; none that suits every recipient zone: dead letter. */
const LOOKAHEAD_DAYS = 8;

/** The local `HH:MM` start of the window on each of the next days, in `zone`, from `atMs` (epoch ms). */
function openingsIn(rule: SendWindowRule, zone: string, atMs: number): number[] {
  const [hour, minute] = rule.window.start.split(':').map(Number);
  const today = Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(zone).toPlainDate();
  const openings: number[] = [];
  for (let day = 0; day <= LOOKAHEAD_DAYS; day += 1) {
    const local = today
      .add({ days: day })
      .toPlainDateTime({ hour: hour ?? 0, minute: minute ?? 0 });
    const at = local.toZonedDateTime(zone).epochMilliseconds;
    if (at > atMs) openings.push(at);
  }
  return openings;
}

/**
 * The earliest instant (epoch ms) after `atMs` at which every zone is inside every rule's window, or undefined
 * when there is none within {@link LOOKAHEAD_DAYS} days. Candidates are the windows' local openings.
 */
export function nextOpening(
  checks: readonly { rule: SendWindowRule; zones: readonly string[] }[],
  atMs: number,
): number | undefined {
  const candidates = checks
    .flatMap(({ rule, zones }) => zones.flatMap((zone) => openingsIn(rule, zone, atMs)))
    .sort((a, b) => a - b);
  return candidates.find((at) =>
    checks.every(({ rule, zones }) => zones.every((zone) => insideWindow(rule, at, zone).inside)),
  );
}

/**
 * Re-checks the binding `send_window` rules of the active policy for a TRIGGERED send (an action without its own
 * `sendAt`: `enroll_in_workflow`, `trigger_broadcast`, `send_transactional`) at its dispatch time `atMs`, in its
 * recipients' zones: approval may come hours after submission. A scheduled send (`schedule_message`) was judged
 * on its `sendAt` at submission and is not looked at again.
 *
 * Outside the window the row is HELD, not sent: its next attempt moves to the earliest opening of the window
 * that suits every recipient zone (not counted as an attempt), recorded as `dispatch.retry_scheduled` with code
 * `OUTSIDE_SEND_WINDOW`, `held: true` and `nextAttemptAt` (ISO 8601). When no such opening exists within
 * {@link LOOKAHEAD_DAYS} days the row becomes a dead letter (`lastError` `OUTSIDE_SEND_WINDOW`, never sent) with
 * `dispatch.failed` and `dispatch.dead_lettered`. Returns `'held'`, `'dead'`, or undefined when the send may go.
 */
export async function holdIfOutsideWindow(
  tx: StoreTx,
  input: {
    row: OutboxRow;
    record: PlanRecord;
    plan: HandoffPlan;
    atMs: number;
    rules: readonly Rule[];
  },
): Promise<'held' | 'dead' | undefined> {
  const { row, record, plan, atMs, rules } = input;
  const option = plan.options.find((o) => o.optionId === row.optionId);
  const action = option?.actions[row.actionIndex];
  if (!option || !action || !isSendAction(action) || action.type === 'schedule_message')
    return undefined;
  const windows = rules.filter(
    (rule): rule is SendWindowRule =>
      rule.type === 'send_window' &&
      rule.enforcement !== 'advisory' &&
      ruleApplies(rule.appliesTo, plan),
  );
  const only = { ...option, actions: [action] };
  const closed = windows.filter(
    (rule) =>
      evaluateSendWindow(rule, { plan, option: only, optionIndex: 0, evaluatedAtMs: atMs })
        .decision === 'deny',
  );
  if (closed.length === 0) return undefined;
  const opening = nextOpening(
    windows.map((rule) => ({ rule, zones: recipientZones(rule, action, option) })),
    atMs,
  );
  const data = {
    idempotencyKey: row.idempotencyKey,
    actionIndex: row.actionIndex,
    actionId: row.actionId,
    adapter: row.adapter,
    code: OUTSIDE_SEND_WINDOW,
    rules: closed.map((rule) => rule.id),
  };
  const event = {
    tenantId: row.tenantId,
    planId: row.planId,
    actor: SYSTEM_ACTOR,
    occurredAt: atMs,
  };
  const refs = { plan: record.digest };
  if (opening !== undefined) {
    await tx.updateOutbox(row.idempotencyKey, 'pending', {
      nextAttemptAt: opening,
      updatedAt: atMs,
    });
    await tx.appendLineage([
      {
        ...event,
        type: 'dispatch.retry_scheduled',
        refs,
        data: {
          ...data,
          held: true,
          attempts: row.attempts,
          nextAttemptAt: new Date(opening).toISOString(),
        },
      },
    ]);
    return 'held';
  }
  await tx.updateOutbox(row.idempotencyKey, 'pending', {
    status: 'dead',
    lastError: OUTSIDE_SEND_WINDOW,
    updatedAt: atMs,
  });
  await tx.appendLineage([
    { ...event, type: 'dispatch.failed', refs, data: { ...data, retryable: false } },
    { ...event, type: 'dispatch.dead_lettered', refs, data },
  ]);
  return 'dead';
}
