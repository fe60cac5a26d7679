import { type Action, IdentifierSchema, type StrategyOption } from '@handoff/protocol';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { TimeZoneSchema } from '../../budget/cap.js';
import { isValidTimeZone } from '../../budget/zoned-time.js';
import { actionContacts, contactKey, isSendAction } from '../recipients.js';
import {
  allow,
  deny,
  distinctArray,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

const LOCAL_TIME = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'A local time HH:MM (00:00-23:59)');
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * `send_window`: messages reach people only inside a local send window (quiet hours are its complement), in each
 * RECIPIENT's time zone, for scheduled sends (`schedule_message`, at its `sendAt`) and triggered ones
 * (`enroll_in_workflow`, `trigger_broadcast`, `send_transactional`, at the evaluation time, and again at
 * dispatch, where one outside the window is held until it opens: see `dispatch/send-window-check.ts`). As platforms do per campaign: Braze "Quiet hours" and "send in users' local time zone"
 * (https://www.braze.com/docs/user_guide/engagement_tools/canvas/managing_canvases/quiet_hours/), Customer.io
 * "Time windows" (https://docs.customer.io/journeys/time-windows/).
 *
 * - `window`: `{ start, end }`, local `HH:MM`; a send at or after `start` and before `end` is inside. `start`
 *   after `end` wraps midnight (e.g. 20:00-08:00). Equal times are refused (`INVALID_VALUE`).
 * - `days`: optional weekdays (`mon`..`sun`) the window is open, by the recipient's local date.
 * - `defaultTimeZone`: an IANA zone for recipients whose zone the plan does not give.
 * - `timeZoneProperty` (default `timeZone`): where the plan gives a zone: the named contact's property in an
 *   `upsert_contacts` of the same option, else the action's `data`; a value that is no IANA zone is ignored.
 */
export const SendWindowRuleSchema = z
  .strictObject({
    ...ruleCommonShape,
    type: z.literal('send_window'),
    window: z.strictObject({ start: LOCAL_TIME, end: LOCAL_TIME }),
    days: distinctArray(z.enum(WEEKDAYS), 7).optional(),
    defaultTimeZone: TimeZoneSchema,
    timeZoneProperty: IdentifierSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.window.start === rule.window.end) {
      ctx.addIssue({
        code: 'custom',
        path: ['window', 'end'],
        message: 'The window is empty: start and end are the same time',
        params: { code: 'INVALID_VALUE' },
      });
    }
  });
/** See {@link SendWindowRuleSchema}. */
export type SendWindowRule = z.infer<typeof SendWindowRuleSchema>;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Whether `atMs` is inside the rule's window in `timeZone`; with the local `HH:MM` for messages. */
export function insideWindow(
  rule: Pick<SendWindowRule, 'window' | 'days'>,
  atMs: number,
  timeZone: string,
): { inside: boolean; local: string } {
  const local = Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(timeZone);
  const minute = local.hour * 60 + local.minute;
  const start = minutesOf(rule.window.start);
  const end = minutesOf(rule.window.end);
  const inTime = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  const day = WEEKDAYS[local.dayOfWeek - 1];
  const inDay = rule.days === undefined || (day !== undefined && rule.days.includes(day));
  const text = `${day ?? ''} ${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
  return { inside: inTime && inDay, local: text };
}

function zoneFrom(value: unknown): string | undefined {
  return typeof value === 'string' && isValidTimeZone(value) ? value : undefined;
}

/** The time zones an action's recipients are in (distinct), as the rule reads them. */
export function recipientZones(
  rule: SendWindowRule,
  action: Action,
  option: StrategyOption,
): string[] {
  const property = rule.timeZoneProperty ?? 'timeZone';
  const data = 'data' in action.params ? action.params.data : undefined;
  const actionZone = zoneFrom(data?.[property]) ?? rule.defaultTimeZone;
  const named = actionContacts(action);
  if (named.length === 0) return [actionZone];
  const known = new Map<string, string>();
  for (const other of option.actions) {
    if (other.type !== 'upsert_contacts') continue;
    for (const record of other.params.contacts) {
      const zone = zoneFrom(record.properties[property]);
      if (zone !== undefined) known.set(contactKey(record), zone);
    }
  }
  return [...new Set(named.map(({ contact }) => known.get(contactKey(contact)) ?? actionZone))];
}

/**
 * Evaluates a `send_window` rule for one option: `deny` with `OUTSIDE_SEND_WINDOW` at the first send that would
 * reach someone outside the window (`.../params/sendAt` for a scheduled send, the action for a triggered one; the
 * message gives the zone and local time, never who), else `allow` with `INSIDE_SEND_WINDOW` (or `NO_SEND_ACTION`).
 *
 * @throws Error without an evaluation time when the option triggers a send (the engine denies).
 */
export function evaluateSendWindow(
  rule: SendWindowRule,
  { option, optionIndex, evaluatedAtMs }: RuleContext,
): RuleFinding {
  const span = `${rule.window.start}-${rule.window.end}${rule.days ? ` on ${rule.days.join(', ')}` : ''}`;
  let sends = 0;
  for (const [actionIndex, action] of option.actions.entries()) {
    if (!isSendAction(action)) continue;
    sends += 1;
    const scheduled = action.type === 'schedule_message';
    const atMs = scheduled ? Date.parse(action.params.sendAt) : evaluatedAtMs;
    if (atMs === undefined) throw new Error('No evaluation time for a triggered send');
    for (const zone of recipientZones(rule, action, option)) {
      const { inside, local } = insideWindow(rule, atMs, zone);
      if (inside) continue;
      const path = scheduled
        ? pointer('options', optionIndex, 'actions', actionIndex, 'params', 'sendAt')
        : pointer('options', optionIndex, 'actions', actionIndex);
      return deny(
        'OUTSIDE_SEND_WINDOW',
        path,
        `Action ${action.actionId} would reach recipients in ${zone} at ${local} local time, outside ${span}`,
      );
    }
  }
  const path = pointer('options', optionIndex, 'actions');
  return sends === 0
    ? allow('NO_SEND_ACTION', path, 'The option sends no message')
    : allow('INSIDE_SEND_WINDOW', path, `Every send falls inside ${span} in its recipients' zone`);
}
