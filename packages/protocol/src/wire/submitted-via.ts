import { z } from 'zod';

/**
 * The HTTP request header in which a client that relays plans for a copilot (the MCP server of `@handoff/mcp`)
 * names how a plan came in. The gateway reads it only on an authenticated `plans.submit` request and records it
 * in the plan's `plan.received` lineage event as `data.submittedVia`.
 *
 * It is a label, not an identity: the caller may write anything here (an MCP client names itself in its
 * `initialize` request, unchecked). Identity, tenant and roles come from the request's credential alone.
 */
export const SUBMITTED_VIA_HEADER = 'x-handoff-submitted-via';

/** The longest {@link SUBMITTED_VIA_HEADER} value the gateway reads, in characters (header values are ASCII). */
export const MAX_SUBMITTED_VIA_LENGTH = 1024;

/** Printable text of a label: no control characters, 1 to `max` characters. */
const label = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters');

/**
 * The value of {@link SUBMITTED_VIA_HEADER}: JSON text (non-ASCII escaped as `\uXXXX`, so the header stays ASCII)
 * of `{ channel: "mcp", client: { name, version }, sessionId }`: the MCP client's self-declared name and version
 * (from its `initialize` request, [MCP lifecycle](https://modelcontextprotocol.io/specification/2025-06-18/basic/lifecycle))
 * and the MCP session (the `Mcp-Session-Id` of Streamable HTTP, or an id the stdio server makes per connection).
 */
export const SubmittedViaSchema = z
  .strictObject({
    channel: z.literal('mcp'),
    client: z.strictObject({ name: label(200), version: label(100) }),
    sessionId: label(200),
  })
  .meta({
    id: 'SubmittedVia',
    description:
      'How a plan came in: the MCP client (self-declared name and version, a label, not an identity) and session.',
  });

/** A parsed {@link SUBMITTED_VIA_HEADER} value. */
export type SubmittedVia = z.infer<typeof SubmittedViaSchema>;

/** The {@link SUBMITTED_VIA_HEADER} value of `via`: its JSON, every non-ASCII character escaped. */
export function encodeSubmittedVia(via: SubmittedVia): string {
  return JSON.stringify(via).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Reads a {@link SUBMITTED_VIA_HEADER} value: `undefined` when the header is absent, the parsed value, or
 * `{ error }` (a message naming what is accepted) when it is longer than {@link MAX_SUBMITTED_VIA_LENGTH}, not
 * JSON, or not a {@link SubmittedViaSchema}.
 */
export function decodeSubmittedVia(
  header: string | undefined,
): SubmittedVia | undefined | { error: string } {
  if (header === undefined) return undefined;
  const accepted = `${SUBMITTED_VIA_HEADER} must be JSON {"channel":"mcp","client":{"name","version"},"sessionId"} of at most ${MAX_SUBMITTED_VIA_LENGTH} characters`;
  if (header.length > MAX_SUBMITTED_VIA_LENGTH) return { error: accepted };
  let value: unknown;
  try {
    value = JSON.parse(header);
  } catch {
    return { error: accepted };
  }
  const parsed = SubmittedViaSchema.safeParse(value);
  return parsed.success ? parsed.data : { error: accepted };
}
