import { z } from 'zod';
import { LIMITS } from './limits.js';
import type { RuleParams } from './zod-issues.js';

/**
 * Identifier of a tenant, option, action, segment or platform object: 1-128 characters, starting with a letter or
 * digit, then letters, digits and `._:-`.
 */
export const IdentifierSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/)
  .max(LIMITS.MAX_ID_LENGTH)
  .meta({ id: 'Identifier' });

/**
 * A label a kill switch matches on that is not an {@link IdentifierSchema} (the copilot's `vendor`, `model` and
 * `modelVersion`): 1-200 ASCII characters, runs of letters and digits joined by single separators (space `.` `_`
 * `:` `-`), e.g. `Example Copilot Co`, `example-planner`, `2026-10-01`. Labels are compared byte for byte, so they
 * are kept to characters that cannot pass for one another: a look-alike (`example‑planner` with U+2011, a
 * Cyrillic `а`, a no-break space, a doubled or trailing separator) is refused with `INVALID_FORMAT` instead of
 * escaping a pause on the real name. `/` and `@` are not allowed: they join the three into the
 * `vendor/model@modelVersion` an operator pauses.
 */
export const LabelSchema = z
  .string()
  .regex(/^[A-Za-z0-9]+(?:[ ._:-][A-Za-z0-9]+)*$/)
  .max(LIMITS.MAX_NAME_LENGTH)
  .meta({
    id: 'Label',
    description:
      'ASCII letters and digits in runs joined by single separators (space . _ : -); compared byte for byte.',
  });

/** A plan id: a UUID version 7 (RFC 9562, lower case) or a ULID (Crockford base32, upper case). */
export const PlanIdSchema = z
  .string()
  .regex(
    /^(?:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|[0-7][0-9A-HJKMNP-TV-Z]{25})$/,
  )
  .meta({ id: 'PlanId', description: 'UUID v7 (RFC 9562) or ULID.' });

/** An RFC 3339 timestamp in UTC with a `Z` suffix, e.g. `2026-11-21T14:00:00Z` (fractional seconds allowed). */
export const TimestampSchema = z.iso
  .datetime()
  .meta({ id: 'Timestamp', description: 'RFC 3339 date-time in UTC (Z suffix).' });

/** A SHA-256 digest rendered as `sha256:` and 64 lower-case hex digits. */
export const DigestSchema = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/)
  .meta({ id: 'Digest', description: 'sha256: followed by 64 lower-case hex digits.' });

/** A short name or title (1-200 characters). */
export const NameSchema = z.string().min(1).max(LIMITS.MAX_NAME_LENGTH);

/** Free text (1-4,000 characters). */
export const TextSchema = z.string().min(1).max(LIMITS.MAX_TEXT_LENGTH);

/**
 * RFC 3986 URI characters after the scheme: unreserved, reserved and `%HH` escapes only (no spaces, no raw
 * non-ASCII: internationalised names go in their punycode or percent-encoded form). Zod and every JSON Schema
 * validator agree on this pattern, where `format: uri` implementations differ.
 */
const URI_PATTERN =
  /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

/** An absolute URI (any scheme), at most 2,048 characters, in RFC 3986 characters. */
export const UriSchema = z.url().max(LIMITS.MAX_URI_LENGTH).regex(URI_PATTERN);

/** An absolute `https:` URL with a host, at most 2,048 characters, in RFC 3986 characters. */
export const HttpsUrlSchema = z
  .url({ protocol: /^https$/ })
  .max(LIMITS.MAX_URI_LENGTH)
  .regex(URI_PATTERN)
  .regex(/^https:\/\/[^/?#@\s]+(?:[/?#].*)?$/);

/** A property name in an open bag of properties: at most 200 characters, never `__proto__`. */
const PropertyNameSchema = z
  .string()
  .max(LIMITS.MAX_NAME_LENGTH)
  .meta({ not: { const: '__proto__' } });

/**
 * A bag of JSON properties passed through to a platform (e.g. template data, event properties). A `__proto__`
 * key is refused with `FORBIDDEN_KEY`: zod would drop it silently (JavaScript turns it into a prototype), so the
 * parsed plan, and its digest, would differ from the plan received.
 */
export const PropertiesSchema = z.preprocess(
  (value, ctx) => {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
      ctx.addIssue({
        code: 'custom',
        path: ['__proto__'],
        message: '"__proto__" is not allowed as a property name',
        ...rule('FORBIDDEN_KEY'),
      });
    }
    return value;
  },
  z.record(PropertyNameSchema, z.unknown()),
);

/** A rule issue's `params`, typed so every custom issue names a protocol issue code. */
export function rule(code: RuleParams['code']): { params: RuleParams } {
  return { params: { code } };
}

/**
 * An array whose items must be distinct (by `===`, so for primitives): zod enforces it with `DUPLICATE_ITEM` and
 * the JSON Schema states `uniqueItems: true`.
 */
export function uniqueArray<T extends z.ZodType<string>>(item: T) {
  return z
    .array(item)
    .refine((items) => new Set(items).size === items.length, {
      message: 'Items must be distinct',
      ...rule('DUPLICATE_ITEM'),
    })
    .meta({ uniqueItems: true });
}

/**
 * Requires at least one of `keys` on an object: zod enforces it with `MISSING_ONE_OF` and the JSON Schema states
 * it as `anyOf: [{ required: [key] }, ...]`.
 */
export function atLeastOneOf<S extends z.ZodObject>(
  schema: S,
  keys: readonly (keyof z.infer<S> & string)[],
) {
  return schema
    .refine((value: Record<string, unknown>) => keys.some((key) => value[key] !== undefined), {
      message: `At least one of ${keys.join(', ')} is required`,
      ...rule('MISSING_ONE_OF'),
    })
    .meta({ anyOf: keys.map((key) => ({ required: [key] })) });
}
