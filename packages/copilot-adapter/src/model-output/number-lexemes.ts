/**
 * The number literals of a JSON text as written, with their JSON Pointers. `JSON.parse` turns `645.0` and `645` into
 * the same number; the lexeme tells them apart, which matters for money (see `parsePlanFromModelOutput`).
 */

/** One number literal: where it is (RFC 6901 JSON Pointer) and its text, e.g. `{ path: "/a/0", lexeme: "645.0" }`. */
export interface NumberLexeme {
  path: string;
  lexeme: string;
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const LITERAL = /true|false|null/y;

function pointer(path: readonly string[]): string {
  return path.map((s) => `/${s.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/**
 * Lists every number literal of a JSON text in document order. The text must already be valid JSON (parse it with
 * `JSON.parse` first): this scanner does not report syntax errors, it stops at the first token it cannot read.
 * A key repeated in one object is listed once per occurrence (`JSON.parse` keeps the last).
 */
export function numberLexemes(json: string): NumberLexeme[] {
  const out: NumberLexeme[] = [];
  let at = 0;
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const found = pattern.exec(json);
    if (found === null) return undefined;
    at = pattern.lastIndex;
    return found[0];
  };
  const skip = () => match(WHITESPACE);
  const punct = (ch: string): boolean => {
    skip();
    if (json[at] !== ch) return false;
    at += 1;
    return true;
  };
  const value = (path: string[]): boolean => {
    skip();
    const ch = json[at];
    if (ch === '{') {
      at += 1;
      if (punct('}')) return true;
      do {
        skip();
        const key = match(STRING);
        if (key === undefined || !punct(':')) return false;
        if (!value([...path, JSON.parse(key) as string])) return false;
      } while (punct(','));
      return punct('}');
    }
    if (ch === '[') {
      at += 1;
      if (punct(']')) return true;
      let index = 0;
      do {
        if (!value([...path, String(index)])) return false;
        index += 1;
      } while (punct(','));
      return punct(']');
    }
    if (ch === '"') return match(STRING) !== undefined;
    const number = match(NUMBER);
    if (number !== undefined) {
      out.push({ path: pointer(path), lexeme: number });
      return true;
    }
    return match(LITERAL) !== undefined;
  };
  value([]);
  return out;
}

/** True when a number literal has a fraction part or an exponent (`645.0`, `6.45e2`), whatever its value. */
export function hasFractionOrExponent(lexeme: string): boolean {
  return /[.eE]/.test(lexeme);
}
