import { z } from 'zod';
import { AudienceSchema } from './audience.js';
import { LIMITS } from './limits.js';
import { MoneySchema } from './money.js';
import {
  atLeastOneOf,
  HttpsUrlSchema,
  IdentifierSchema,
  NameSchema,
  PropertiesSchema,
  TextSchema,
  TimestampSchema,
} from './primitives.js';

/**
 * A contact as a platform knows it: by email, by the platform's external id, or both (at least one,
 * `MISSING_ONE_OF`). Phone numbers are E.164 (`+` and up to 15 digits).
 */
export const ContactRefSchema = atLeastOneOf(
  z.strictObject({
    email: z.email().max(254).optional(),
    externalId: IdentifierSchema.optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{1,14}$/)
      .optional(),
  }),
  ['email', 'externalId'],
).meta({ id: 'ContactRef' });
export type ContactRef = z.infer<typeof ContactRefSchema>;

/** A contact to create or update, with the properties to set. */
export const ContactRecordSchema = atLeastOneOf(
  z.strictObject({
    email: z.email().max(254).optional(),
    externalId: IdentifierSchema.optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{1,14}$/)
      .optional(),
    properties: PropertiesSchema,
  }),
  ['email', 'externalId'],
).meta({ id: 'ContactRecord' });
export type ContactRecord = z.infer<typeof ContactRecordSchema>;

const ContactsSchema = z.array(ContactRefSchema).min(1).max(LIMITS.MAX_CONTACTS_PER_ACTION);

/**
 * Fields every action carries:
 * - `actionId`: unique within its option (`DUPLICATE_ACTION_ID`);
 * - `adapter`: the id of the automation adapter that executes it (e.g. `hubspot`, `customerio`, `braze`, `webhook`);
 * - `estimatedCost`: what the copilot expects it to spend, in the option's currency (`CURRENCY_MISMATCH`); the sum
 *   over an option's actions must not exceed its budget (`ACTIONS_EXCEED_BUDGET`);
 * - `audience` (1.1): the audience this action alone targets, when it is not the option's (e.g. the group one
 *   move of a budget reallocation shifts money to or from).
 */
const actionCommon = {
  actionId: IdentifierSchema,
  adapter: IdentifierSchema,
  description: TextSchema.optional(),
  estimatedCost: MoneySchema,
  audience: AudienceSchema.optional(),
};

function action<T extends string, P extends z.ZodType>(type: T, params: P) {
  return z.strictObject({ type: z.literal(type), ...actionCommon, params });
}

/** Enrol contacts in a platform automation workflow (e.g. a HubSpot workflow, a Braze Canvas). */
export const EnrollInWorkflowActionSchema = action(
  'enroll_in_workflow',
  z.strictObject({ workflowId: IdentifierSchema, contacts: ContactsSchema }),
);

/** Add contacts to a static list. */
export const AddToListActionSchema = action(
  'add_to_list',
  z.strictObject({ listId: IdentifierSchema, contacts: ContactsSchema }),
);

/** Trigger a broadcast or campaign send to a platform-side segment (or the campaign's own audience). */
export const TriggerBroadcastActionSchema = action(
  'trigger_broadcast',
  z.strictObject({
    broadcastId: IdentifierSchema,
    segmentId: IdentifierSchema.optional(),
    data: PropertiesSchema.optional(),
  }),
);

/** Send one transactional message from a template. */
export const SendTransactionalActionSchema = action(
  'send_transactional',
  z.strictObject({
    messageId: IdentifierSchema,
    to: ContactRefSchema,
    data: PropertiesSchema.optional(),
  }),
);

/** Record a behavioural event for a contact. */
export const TrackEventActionSchema = action(
  'track_event',
  z.strictObject({
    contact: ContactRefSchema,
    name: NameSchema,
    properties: PropertiesSchema.optional(),
    occurredAt: TimestampSchema.optional(),
  }),
);

/** Create or update contacts with properties. */
export const UpsertContactsActionSchema = action(
  'upsert_contacts',
  z.strictObject({
    contacts: z.array(ContactRecordSchema).min(1).max(LIMITS.MAX_CONTACTS_PER_ACTION),
  }),
);

/** Schedule a campaign message for `sendAt` (RFC 3339 UTC), to named recipients or a segment (at least one). */
export const ScheduleMessageActionSchema = action(
  'schedule_message',
  atLeastOneOf(
    z.strictObject({
      campaignId: IdentifierSchema,
      sendAt: TimestampSchema,
      recipients: ContactsSchema.optional(),
      segmentId: IdentifierSchema.optional(),
      data: PropertiesSchema.optional(),
    }),
    ['recipients', 'segmentId'],
  ),
);

/**
 * Which object of an ad platform a campaign action addresses: the `campaign` itself (the default when absent) or
 * one `ad_set` (Meta's ad set; Google Ads' ad group budgets live on the campaign, so an adapter may refuse it).
 * See https://developers.facebook.com/docs/marketing-api/reference/ad-campaign-group/ and
 * https://developers.facebook.com/docs/marketing-api/reference/ad-campaign/.
 */
export const CampaignLevelSchema = z.enum(['campaign', 'ad_set']).meta({ id: 'CampaignLevel' });
export type CampaignLevel = z.infer<typeof CampaignLevelSchema>;

/**
 * Set an ad campaign's budget from `currentBudget` to `newBudget` (both in the option's currency); `budgetType` is
 * `daily` or `lifetime`; `level` says whether `campaignId` names a campaign (default) or an ad set. The gateway's
 * budget-change guardrail bounds the move.
 *
 * Its cost follows from its parameters, and a gateway computes it (README, "What an action costs"): a daily raise
 * costs `newBudget - currentBudget` for every local day (in a budget cap's time zone) it can run inside the cap's
 * period while the plan is valid; a lifetime raise costs the increase once; a cut costs 0 and never offsets a
 * raise. `estimatedCost` must be at least that (else `BUDGET_COST_UNDERSTATED`, both figures given); the larger of
 * the two is reserved.
 */
export const SetCampaignBudgetActionSchema = action(
  'set_campaign_budget',
  z.strictObject({
    campaignId: IdentifierSchema,
    level: CampaignLevelSchema.optional(),
    budgetType: z.enum(['daily', 'lifetime']),
    currentBudget: MoneySchema,
    newBudget: MoneySchema,
  }),
);

const CampaignTargetSchema = z.strictObject({
  campaignId: IdentifierSchema,
  level: CampaignLevelSchema.optional(),
});

/**
 * Pause an ad campaign (or, with `level: 'ad_set'`, one ad set): it stops delivering and spends nothing while
 * paused; its budget is kept. Costs 0 (the gateway computes no spend for it).
 */
export const PauseCampaignActionSchema = action('pause_campaign', CampaignTargetSchema);

/**
 * Resume a paused ad campaign (or ad set): it delivers again within the budget it already has. Its computed cost
 * is 0: a resume sets no new budget, and what the campaign then spends is bounded by that existing budget, which
 * was reserved when it was set (a copilot that expects spend declares it in `estimatedCost`).
 */
export const ResumeCampaignActionSchema = action('resume_campaign', CampaignTargetSchema);

/** POST an event to an HTTPS webhook. */
export const CallWebhookActionSchema = action(
  'call_webhook',
  z.strictObject({ url: HttpsUrlSchema, eventType: NameSchema, data: PropertiesSchema }),
);

/** An action a strategy option asks automation to take, discriminated on `type`. */
export const ActionSchema = z
  .discriminatedUnion('type', [
    EnrollInWorkflowActionSchema,
    AddToListActionSchema,
    TriggerBroadcastActionSchema,
    SendTransactionalActionSchema,
    TrackEventActionSchema,
    UpsertContactsActionSchema,
    ScheduleMessageActionSchema,
    SetCampaignBudgetActionSchema,
    CallWebhookActionSchema,
    PauseCampaignActionSchema,
    ResumeCampaignActionSchema,
  ])
  .meta({ id: 'Action' });

export type Action = z.infer<typeof ActionSchema>;
/** Every action type. */
export type ActionType = Action['type'];
/** The action of a given type, e.g. `ActionOf<'call_webhook'>`. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

/** Action types, in the order of the union. */
export const ACTION_TYPES = ActionSchema.options.map((o) => o.shape.type.value) as ActionType[];
