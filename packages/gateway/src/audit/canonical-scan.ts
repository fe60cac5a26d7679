/**
 * A validating scanner for the RFC 8785 (JCS) text of a stored lineage event, so a verifier can hash the stored
 * bytes instead of parsing and re-serialising each event. It accepts a text only when the text is, byte for
 * byte, what `canonicalJson(JSON.parse(text))` would return, restricted to what lineage bodies hold:
 *
 * - no white space outside strings, and an object at the top;
 * - every object's member names in strictly ascending UTF-16 code unit order (sorted, no duplicates);
 * - numbers that are integers of at most 15 digits, without a leading zero, a fraction, an exponent or `-0` (the
 *   ECMAScript shortest form of every such value is its own text);
 * - strings without escapes, controls or lone surrogates (the caller checks the whole text once: see
 *   {@link hasEscapesOrControls}), so each string is exactly its own JCS form;
 * - `true`, `false`, `null`, arrays, and nesting at most {@link MAX_DEPTH} deep.
 *
 * Anything else (a legitimately canonical text with an escape or a fraction included) is refused, and the caller
 * falls back to parsing and re-canonicalising: refusal is never a verdict.
 */

/** Deepest nesting scanned (deeper texts are refused, never a stack overflow). */
export const MAX_DEPTH = 32;

/** The top-level members whose value spans {@link scanEventText} records, in JCS (sorted) order. */
export const MEMBERS = [
  'actor',
  'data',
  'hash',
  'kind',
  'occurredAt',
  'planId',
  'prevHash',
  'protocolVersion',
  'refs',
  'seq',
  'tenantId',
  'type',
] as const;

/** Index of a member in {@link MEMBERS} (and in the span table). */
export type Member = (typeof MEMBERS)[number];

/** Slot of each member: value start at `2 * slot`, value end (exclusive) at `2 * slot + 1`; -1 when absent. */
export const SLOT: Readonly<Record<Member, number>> = Object.fromEntries(
  MEMBERS.map((name, i) => [name, i]),
) as Record<Member, number>;

const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw controls are what this looks for.
const ESCAPES_OR_CONTROLS = /[\0-\x1f\\\ud800-\udfff]/;

/**
 * True when `text` holds a backslash, a control character (U+0000 to U+001F) or any surrogate code unit: texts
 * the scanner leaves to the slow path (checked once per text, natively, rather than per string).
 */
export function hasEscapesOrControls(text: string): boolean {
  return ESCAPES_OR_CONTROLS.test(text);
}

/**
 * Scans `text` as a canonical JSON object (see the module comment) and records, in `spans`, where the value of
 * each top-level member of {@link MEMBERS} starts and ends (`[start, end)`, quotes included for strings; -1 for
 * an absent member). The caller must have checked {@link hasEscapesOrControls} is false.
 *
 * @returns true when the whole text is one canonical object; false otherwise (`spans` is then meaningless).
 */
export function scanEventText(text: string, spans: Int32Array): boolean {
  spans.fill(-1);
  if (text.charCodeAt(0) !== OPEN_OBJECT) return false;
  return objectEnd(text, 0, 0, spans) === text.length;
}

/** The index after the value starting at `i`, or -1 when it is not canonical. */
function valueEnd(t: string, i: number, depth: number): number {
  const c = t.charCodeAt(i);
  if (c === QUOTE) {
    const close = t.indexOf('"', i + 1);
    return close < 0 ? -1 : close + 1;
  }
  if (c === OPEN_OBJECT) return objectEnd(t, i, depth + 1, undefined);
  if (c === OPEN_ARRAY) return arrayEnd(t, i, depth + 1);
  if (c === MINUS || (c >= ZERO && c <= NINE)) return integerEnd(t, i);
  if (c === 116) return t.startsWith('true', i) ? i + 4 : -1;
  if (c === 102) return t.startsWith('false', i) ? i + 5 : -1;
  if (c === 110) return t.startsWith('null', i) ? i + 4 : -1;
  return -1;
}

/** A canonical integer: `0`, or an optional `-` and 1 to 15 digits not starting with 0; never `-0`. */
function integerEnd(t: string, start: number): number {
  let i = t.charCodeAt(start) === MINUS ? start + 1 : start;
  const first = i;
  let c = t.charCodeAt(i);
  if (c === ZERO) {
    i += 1;
    if (first !== start) return -1;
  } else {
    while (c >= ZERO && c <= NINE) {
      i += 1;
      c = t.charCodeAt(i);
    }
  }
  const digits = i - first;
  if (digits === 0 || digits > 15) return -1;
  c = t.charCodeAt(i);
  // A fraction, an exponent or more digits after a leading 0: not scanned here.
  if (c === 46 || c === 101 || c === 69 || (c >= ZERO && c <= NINE)) return -1;
  return i;
}

function arrayEnd(t: string, start: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  let i = start + 1;
  if (t.charCodeAt(i) === CLOSE_ARRAY) return i + 1;
  for (;;) {
    i = valueEnd(t, i, depth);
    if (i < 0) return -1;
    const c = t.charCodeAt(i);
    if (c === CLOSE_ARRAY) return i + 1;
    if (c !== COMMA) return -1;
    i += 1;
  }
}

/** An object; at depth 0 the value spans of the {@link MEMBERS} are written to `spans`. */
function objectEnd(t: string, start: number, depth: number, spans: Int32Array | undefined): number {
  if (depth > MAX_DEPTH) return -1;
  let i = start + 1;
  if (t.charCodeAt(i) === CLOSE_OBJECT) return i + 1;
  let previousStart = -1;
  let previousEnd = -1;
  // Names ascend and so do MEMBERS: each top-level name is looked up from the slot after the last one found.
  let nextSlot = 0;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return -1;
    const keyStart = i + 1;
    const keyEnd = t.indexOf('"', keyStart);
    if (keyEnd < 0) return -1;
    if (previousStart >= 0 && !ascending(t, previousStart, previousEnd, keyStart, keyEnd)) {
      return -1;
    }
    previousStart = keyStart;
    previousEnd = keyEnd;
    if (t.charCodeAt(keyEnd + 1) !== COLON) return -1;
    const valueStart = keyEnd + 2;
    i = valueEnd(t, valueStart, depth);
    if (i < 0) return -1;
    if (spans !== undefined) {
      const slot = slotOf(t, keyStart, keyEnd, nextSlot);
      if (slot >= 0) {
        spans[2 * slot] = valueStart;
        spans[2 * slot + 1] = i;
        nextSlot = slot + 1;
      }
    }
    const c = t.charCodeAt(i);
    if (c === CLOSE_OBJECT) return i + 1;
    if (c !== COMMA) return -1;
    i += 1;
  }
}

/** True when the name at `[a, aEnd)` sorts strictly before the one at `[b, bEnd)` (UTF-16 code units). */
function ascending(t: string, a: number, aEnd: number, b: number, bEnd: number): boolean {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let k = 0; k < n; k += 1) {
    const x = t.charCodeAt(a + k);
    const y = t.charCodeAt(b + k);
    if (x !== y) return x < y;
  }
  return aEnd - a < bEnd - b;
}

/**
 * The slot of the top-level member named `[start, end)`, or -1 for a name outside {@link MEMBERS} from slot
 * `from` on (the names before it sort before this one).
 */
function slotOf(t: string, start: number, end: number, from: number): number {
  const length = end - start;
  for (let slot = from; slot < MEMBERS.length; slot += 1) {
    const name = MEMBERS[slot] as string;
    if (name.length === length && t.startsWith(name, start)) return slot;
  }
  return -1;
}
