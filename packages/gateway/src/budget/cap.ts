import { ChannelSchema, IdentifierSchema, MoneySchema, toJsonPointer } from '@handoff/protocol';
import { z } from 'zod';
import { GatewayError, type ProtocolIssueLike } from '../errors.js';
import { BUDGET_PERIODS } from './period.js';
import { isValidTimeZone } from './zoned-time.js';

/** The scopes a cap can bound: the whole tenant, one workflow, one channel or one automation adapter. */
export const CAP_SCOPE_TYPES = ['tenant', 'workflow', 'channel', 'adapter'] as const;
/** A cap scope type. */
export type CapScopeType = (typeof CAP_SCOPE_TYPES)[number];

/** The zone {@link parseBudgetCaps} gives a cap that names none. */
export const DEFAULT_CAP_TIME_ZONE = 'UTC';
/** The most caps one {@link parseBudgetCaps} call accepts. */
export const MAX_BUDGET_CAPS = 1000;

/** Issue codes of this module beyond the protocol's own (`REQUIRED`, `INVALID_VALUE`, `UNKNOWN_CURRENCY`, ...). */
export type BudgetCapIssueCode =
  | 'UNKNOWN_TIME_ZONE'
  | 'SCOPE_TENANT_MISMATCH'
  | 'DUPLICATE_CAP'
  | 'DUPLICATE_CAP_ID';

function rule(code: BudgetCapIssueCode): { params: { code: BudgetCapIssueCode } } {
  return { params: { code } };
}

/** An IANA time zone name that this runtime knows (see `zoned-time.ts`); issue `UNKNOWN_TIME_ZONE` otherwise. */
export const TimeZoneSchema = z.string().refine(isValidTimeZone, {
  message: 'Unknown time zone: expected an IANA zone name such as "Europe/Lisbon" or "UTC"',
  ...rule('UNKNOWN_TIME_ZONE'),
});

const CHANNELS: readonly string[] = ChannelSchema.options;

/**
 * What a cap bounds: `type` and `value`, a tenant id, workflow id, channel (one of the protocol's `Channel`s, issue
 * `INVALID_VALUE` otherwise) or adapter id.
 */
export const CapScopeSchema = z
  .strictObject({ type: z.enum(CAP_SCOPE_TYPES), value: IdentifierSchema })
  .superRefine((scope, ctx) => {
    if (scope.type === 'channel' && !CHANNELS.includes(scope.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `Unknown channel ${JSON.stringify(scope.value)}; expected one of ${CHANNELS.join(', ')}`,
        params: { code: 'INVALID_VALUE' },
      });
    }
  });
/** A cap scope. */
export type CapScope = z.infer<typeof CapScopeSchema>;

/**
 * A budget cap as configured (strict: unknown keys are rejected):
 *
 * - `capId`, `tenantId`: identifiers; `capId` is unique within its tenant;
 * - `scope`: `{ type: 'tenant', value }` (value must equal `tenantId`, issue `SCOPE_TENANT_MISMATCH` at
 *   `/scope/value`), `{ type: 'workflow', value: workflowId }`, `{ type: 'channel', value: Channel }` (issue
 *   `INVALID_VALUE` for an unknown channel) or `{ type: 'adapter', value: adapterId }`;
 * - `period`: `day`, `week` (ISO), `month` or `total`, reckoned in `timeZone`;
 * - `limit`: {@link MoneySchema} (integer minor units and ISO 4217 currency); a cap bounds spend in that currency only;
 * - `timeZone`: optional IANA zone name (`UNKNOWN_TIME_ZONE` otherwise); {@link parseBudgetCaps} defaults it to
 *   {@link DEFAULT_CAP_TIME_ZONE} (the schema applies no default).
 */
export const BudgetCapSchema = z
  .strictObject({
    capId: IdentifierSchema,
    tenantId: IdentifierSchema,
    scope: CapScopeSchema,
    period: z.enum(BUDGET_PERIODS),
    limit: MoneySchema,
    timeZone: TimeZoneSchema.optional(),
  })
  .superRefine((cap, ctx) => {
    if (cap.scope.type === 'tenant' && cap.scope.value !== cap.tenantId) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope', 'value'],
        message: `A tenant-scope cap must name its own tenant (${JSON.stringify(cap.tenantId)})`,
        ...rule('SCOPE_TENANT_MISMATCH'),
      });
    }
  });

/** A cap as written, before defaults (`timeZone` optional). */
export type BudgetCapInput = z.input<typeof BudgetCapSchema>;
/** A validated cap, `timeZone` always set. */
export type BudgetCap = Omit<z.output<typeof BudgetCapSchema>, 'timeZone'> & { timeZone: string };

const BudgetCapListSchema = z.array(BudgetCapSchema).max(MAX_BUDGET_CAPS);

/** Maps one zod issue to `{ path, code, message }` issues with protocol codes where one fits. */
function toIssues(issue: z.core.$ZodIssue): ProtocolIssueLike[] {
  const path = toJsonPointer(issue.path);
  const last = issue.path[issue.path.length - 1];
  const one = (code: string, message = issue.message): ProtocolIssueLike[] => [
    { path, code, message },
  ];
  switch (issue.code) {
    case 'custom': {
      const code: unknown = issue.params?.code;
      return one(typeof code === 'string' ? code : 'INVALID_INPUT');
    }
    case 'invalid_type':
      if (issue.input === undefined) return one('REQUIRED', `Required: expected ${issue.expected}`);
      if (issue.expected === 'int' && typeof issue.input === 'number') {
        return one(last === 'amountMinor' ? 'MONEY_NOT_INTEGER' : 'NOT_INTEGER');
      }
      return one('INVALID_TYPE');
    case 'too_small':
      return one(last === 'amountMinor' ? 'MONEY_NEGATIVE' : 'TOO_SMALL');
    case 'too_big':
      return one(last === 'amountMinor' ? 'MONEY_UNSAFE_INTEGER' : 'TOO_BIG');
    case 'invalid_value':
      return one(last === 'currency' ? 'UNKNOWN_CURRENCY' : 'INVALID_VALUE');
    case 'invalid_format':
      return one('INVALID_FORMAT');
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: `${path}${toJsonPointer([key])}`,
        code: 'UNRECOGNIZED_KEY',
        message: `Unrecognized key ${JSON.stringify(key)}`,
      }));
    case 'invalid_union':
      return one(issue.discriminator === undefined ? 'INVALID_INPUT' : 'INVALID_DISCRIMINATOR');
    default:
      return one('INVALID_INPUT');
  }
}

/** Issues for caps that repeat a `(tenant, scope.type, scope.value, period, currency)` or a tenant's `capId`. */
function duplicateIssues(caps: readonly z.output<typeof BudgetCapSchema>[]): ProtocolIssueLike[] {
  const issues: ProtocolIssueLike[] = [];
  const bySlot = new Map<string, string>();
  const byId = new Map<string, number>();
  for (const [index, cap] of caps.entries()) {
    const slot = JSON.stringify([
      cap.tenantId,
      cap.scope.type,
      cap.scope.value,
      cap.period,
      cap.limit.currency,
    ]);
    const first = bySlot.get(slot);
    if (first === undefined) bySlot.set(slot, cap.capId);
    else {
      issues.push({
        path: toJsonPointer([index]),
        code: 'DUPLICATE_CAP',
        message: `Cap ${JSON.stringify(cap.capId)} repeats the tenant, scope, period and currency of ${JSON.stringify(first)}`,
      });
    }
    const idKey = JSON.stringify([cap.tenantId, cap.capId]);
    const firstIndex = byId.get(idKey);
    if (firstIndex === undefined) byId.set(idKey, index);
    else {
      issues.push({
        path: toJsonPointer([index, 'capId']),
        code: 'DUPLICATE_CAP_ID',
        message: `capId ${JSON.stringify(cap.capId)} is already used by cap ${firstIndex} of this tenant`,
      });
    }
  }
  return issues;
}

function invalid(issues: readonly ProtocolIssueLike[]): GatewayError {
  const shown = issues.slice(0, 3).map((i) => `${i.code} at ${i.path || '/'}: ${i.message}`);
  const more = issues.length > 3 ? ` (+${issues.length - 3} more)` : '';
  return new GatewayError('BUDGET_CAP_INVALID', `Invalid budget caps: ${shown.join('; ')}${more}`, {
    issues,
  });
}

/**
 * Validates a list of budget caps (for one or several tenants) and applies defaults (`timeZone` ->
 * {@link DEFAULT_CAP_TIME_ZONE}). Caps are returned in input order.
 *
 * @param input - untrusted JSON: an array of at most {@link MAX_BUDGET_CAPS} {@link BudgetCapInput}.
 * @returns the validated caps.
 * @throws GatewayError `BUDGET_CAP_INVALID` with `issues: [{ path, code, message }]`, paths being JSON Pointers
 *   into `input` (`/2/limit/amountMinor`). Codes: protocol shape and money codes (`REQUIRED`, `UNRECOGNIZED_KEY`,
 *   `INVALID_VALUE`, `MONEY_NEGATIVE`, `UNKNOWN_CURRENCY`, ...) plus `UNKNOWN_TIME_ZONE`, `SCOPE_TENANT_MISMATCH`,
 *   `DUPLICATE_CAP` (same tenant, scope type, scope value, period and currency as an earlier cap) and
 *   `DUPLICATE_CAP_ID` (a tenant's `capId` used twice). Duplicates are reported only once the shapes are valid.
 */
export function parseBudgetCaps(input: unknown): BudgetCap[] {
  // `reportInput` lets an issue tell a missing value (REQUIRED) from a wrong one; inputs never leave this module.
  const parsed = BudgetCapListSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw invalid(parsed.error.issues.flatMap(toIssues));
  const duplicates = duplicateIssues(parsed.data);
  if (duplicates.length > 0) throw invalid(duplicates);
  return parsed.data.map((cap) => ({ ...cap, timeZone: cap.timeZone ?? DEFAULT_CAP_TIME_ZONE }));
}
