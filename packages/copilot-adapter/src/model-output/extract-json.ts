/**
 * Finding the JSON object in what a model wrote: raw JSON, a fenced code block, or an object amid prose.
 */

/** Where the JSON text was found. */
export type JsonSource = 'raw' | 'fenced' | 'embedded';

/** The result of {@link extractJsonObject}. */
export type Extraction =
  | { ok: true; json: string; source: JsonSource }
  | { ok: false; code: 'NO_JSON_OBJECT' | 'TRUNCATED_JSON'; message: string };

/**
 * Scans from the `{` at `start` to its matching `}`, skipping brackets inside strings (with `\` escapes).
 * @returns the index just past the matching `}`, or `undefined` when the text ends first (truncated).
 */
export function balancedEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '{' || ch === '[') {
      depth += 1;
    } else if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

/** A fenced block (CommonMark backtick fence, 3 or more), its info string and body; `closed` false at end of text. */
interface Fence {
  info: string;
  body: string;
  closed: boolean;
}

function fences(text: string): Fence[] {
  const out: Fence[] = [];
  const open = /^[ \t]{0,3}(`{3,})[ \t]*([^`\r\n]*)\r?\n/gm;
  let match: RegExpExecArray | null = open.exec(text);
  while (match !== null) {
    const ticks = match[1] ?? '```';
    const bodyStart = match.index + match[0].length;
    const close = new RegExp(`^[ \\t]{0,3}${ticks}\`*[ \\t]*$`, 'm');
    const rest = text.slice(bodyStart);
    const end = close.exec(rest);
    const info = (match[2] ?? '').trim().toLowerCase();
    out.push({ info, body: end ? rest.slice(0, end.index) : rest, closed: end !== null });
    if (!end) break;
    open.lastIndex = bodyStart + end.index + end[0].length;
    match = open.exec(text);
  }
  return out;
}

const JSON_INFO = /^(json|jsonc|json5)?$/;

/**
 * Finds the plan's JSON text in a model's output, in this order:
 * 1. the whole text (after trimming white space and a byte order mark) when it is one balanced `{...}`;
 * 2. the first fenced code block (```` ```json ````, ```` ``` ````) whose body starts with `{`;
 * 3. the first balanced `{...}` anywhere in the text (JSON amid prose), starting at the first `{` followed by a
 *    key or `}` (so braces in the prose are skipped).
 *
 * Only the first candidate is used: a model that shows an example object before its answer must put the answer in
 * a fenced block. The JSON itself is not parsed here.
 *
 * @returns `{ ok: true, json, source }`, or `{ ok: false, code }` with `NO_JSON_OBJECT` (no `{` in the text) or
 *   `TRUNCATED_JSON` (an object starts but never closes, as when the output hit its token limit).
 */
export function extractJsonObject(output: string): Extraction {
  const text = output.replace(/^\uFEFF/, '').trim();
  if (text.startsWith('{') && balancedEnd(text, 0) === text.length) {
    return { ok: true, json: text, source: 'raw' };
  }
  for (const fence of fences(text)) {
    const body = fence.body.trim();
    if (!JSON_INFO.test(fence.info) || !body.startsWith('{')) continue;
    const end = balancedEnd(body, 0);
    if (end === undefined) {
      return truncated(
        fence.closed ? 'The fenced JSON block' : 'The fenced JSON block (never closed)',
      );
    }
    return { ok: true, json: body.slice(0, end), source: 'fenced' };
  }
  // The first "{" that opens a JSON object ("{" then a key or "}"), so "{as requested}" in prose is skipped.
  const opening = /\{\s*["}]/.exec(text);
  const start = opening?.index ?? text.indexOf('{');
  if (start === -1) {
    return {
      ok: false,
      code: 'NO_JSON_OBJECT',
      message: 'The output contains no JSON object (no "{" found)',
    };
  }
  const end = balancedEnd(text, start);
  if (end === undefined) return truncated('The JSON object');
  return {
    ok: true,
    json: text.slice(start, end),
    source: start === 0 && end === text.length ? 'raw' : 'embedded',
  };
}

function truncated(what: string): Extraction {
  return {
    ok: false,
    code: 'TRUNCATED_JSON',
    message: `${what} ends before every object and array is closed: the output looks truncated`,
  };
}
