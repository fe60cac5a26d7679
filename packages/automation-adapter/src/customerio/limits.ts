/**
 * Customer.io's documented limits, each with its source:
 * - Track API (https://docs.customer.io/integrations/api/track/ "Limits", and the error messages listed at
 *   https://customer.io/docs/journeys/invalid-api-requests/): a person's identifier at most 150 bytes; at most 300
 *   attributes in one identify request; attribute names at most 150 bytes; attribute values at most 1,000 bytes;
 *   event names at most 100 bytes and not blank; event `data` a hash of at most 100,000 bytes.
 * - API-triggered broadcasts (https://docs.customer.io/integrations/api/app/tag/send-messages/ "API triggered
 *   broadcast limits"): one request every 10 seconds; the whole trigger payload at most 25 MB; its `data` at most
 *   50,000 bytes; at most 10,000 `ids` or `emails`; at most 10,000 `per_user_data` entries; at most 5 triggers
 *   queued.
 * - Transactional email (https://docs.customer.io/integrations/api/app/tag/send-messages/sendEmail/): at most 15
 *   recipients across `to`, `cc` and `bcc`; `identifiers` names exactly one of `id`, `email`, `cio_id`.
 * Sizes are counted in UTF-8 bytes of the value (of its JSON text when it is not a string).
 */
export const CUSTOMERIO_LIMITS = {
  MAX_IDENTIFIER_BYTES: 150,
  MAX_IDENTIFY_ATTRIBUTES: 300,
  MAX_ATTRIBUTE_NAME_BYTES: 150,
  MAX_ATTRIBUTE_VALUE_BYTES: 1_000,
  MAX_EVENT_NAME_BYTES: 100,
  MAX_EVENT_DATA_BYTES: 100_000,
  BROADCAST_TRIGGER_INTERVAL_MS: 10_000,
  MAX_TRIGGER_PAYLOAD_BYTES: 25 * 1024 * 1024,
  MAX_TRIGGER_DATA_BYTES: 50_000,
  MAX_TRIGGER_RECIPIENTS: 10_000,
  MAX_TRIGGER_PER_USER_DATA: 10_000,
  MAX_QUEUED_TRIGGERS: 5,
  MAX_TRANSACTIONAL_RECIPIENTS: 15,
} as const;

/** One problem found by `validate`, with a JSON Pointer into the action. */
export interface LimitIssue {
  path: string;
  code: string;
  message: string;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string, or of the JSON text of any other value. */
export function byteSize(value: unknown): number {
  if (typeof value === 'string') return encoder.encode(value).length;
  return encoder.encode(JSON.stringify(value) ?? '').length;
}

/** Escapes one JSON Pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`). */
export function pointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Attribute names the adapter sets from the contact itself, never from `properties`. */
export const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'cio_id', 'email', 'phone']);

/** Issues of a person's identifier (the path segment of Track API calls). */
export function checkIdentifier(identifier: string | undefined, path: string): LimitIssue[] {
  if (identifier === undefined || identifier.length === 0) {
    return [{ path, code: 'MISSING_IDENTIFIER', message: 'An externalId or an email is required' }];
  }
  if (byteSize(identifier) > CUSTOMERIO_LIMITS.MAX_IDENTIFIER_BYTES) {
    return [
      {
        path,
        code: 'IDENTIFIER_TOO_LONG',
        message: `Customer.io identifiers are at most ${CUSTOMERIO_LIMITS.MAX_IDENTIFIER_BYTES} bytes`,
      },
    ];
  }
  return [];
}

/** Issues of the attributes of one identify call (`properties` plus the contact's email and phone). */
export function checkAttributes(
  properties: Record<string, unknown>,
  extraAttributes: number,
  path: string,
): LimitIssue[] {
  const issues: LimitIssue[] = [];
  const names = Object.keys(properties);
  if (names.length + extraAttributes > CUSTOMERIO_LIMITS.MAX_IDENTIFY_ATTRIBUTES) {
    issues.push({
      path,
      code: 'TOO_MANY_ATTRIBUTES',
      message: `Customer.io accepts at most ${CUSTOMERIO_LIMITS.MAX_IDENTIFY_ATTRIBUTES} attributes per identify call`,
    });
  }
  for (const name of names) {
    const at = `${path}/${pointerToken(name)}`;
    if (RESERVED_ATTRIBUTES.has(name)) {
      issues.push({
        path: at,
        code: 'RESERVED_ATTRIBUTE',
        message: `"${name}" is set from the contact's identifiers, not from properties`,
      });
    } else if (byteSize(name) > CUSTOMERIO_LIMITS.MAX_ATTRIBUTE_NAME_BYTES) {
      issues.push({
        path: at,
        code: 'ATTRIBUTE_NAME_TOO_LONG',
        message: `Attribute names are at most ${CUSTOMERIO_LIMITS.MAX_ATTRIBUTE_NAME_BYTES} bytes`,
      });
    } else if (byteSize(properties[name]) > CUSTOMERIO_LIMITS.MAX_ATTRIBUTE_VALUE_BYTES) {
      issues.push({
        path: at,
        code: 'ATTRIBUTE_VALUE_TOO_LONG',
        message: `Attribute values are at most ${CUSTOMERIO_LIMITS.MAX_ATTRIBUTE_VALUE_BYTES} bytes`,
      });
    }
  }
  return issues;
}

/** Issues of a value that must fit in `max` bytes. */
export function checkBytes(
  value: unknown,
  max: number,
  path: string,
  code: string,
  what: string,
): LimitIssue[] {
  return byteSize(value) > max
    ? [{ path, code, message: `${what} is at most ${max.toLocaleString('en-US')} bytes` }]
    : [];
}

/** Issues of a Customer.io numeric object id (broadcasts and segments are integers). */
export function checkNumericId(
  value: string | undefined,
  path: string,
  what: string,
): LimitIssue[] {
  if (value === undefined || /^[1-9]\d{0,15}$/.test(value)) return [];
  return [
    {
      path,
      code: 'INVALID_PLATFORM_ID',
      message: `${what} must be Customer.io's numeric id (a positive integer)`,
    },
  ];
}
