import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  type AnyProtocolError,
  DOCUMENT_KINDS,
  DOCUMENT_SCHEMAS,
  type HandoffPlan,
  LIMITS,
  PROTOCOL_ISSUE_CODES,
  ProtocolError,
  ProtocolValidationError,
  parseDocument,
  parseDocumentJson,
  SUPPORTED_PROTOCOL_VERSIONS,
  safeParseDocument,
  safeParseDocumentJson,
  UnsupportedVersionError,
  UpgradeError,
} from '../src/index.js';

const text = readFileSync(
  new URL('../conformance/v1/HandoffPlan/valid/term-deposit-two-options.json', import.meta.url),
  'utf8',
);
const base: HandoffPlan = JSON.parse(text);

/** The issues of a failed result, as `CODE path` strings. */
function issuesOf(result: { success: boolean; error?: ProtocolError }): string[] {
  if (result.success || !result.error) throw new Error('expected the parse to fail');
  return result.error.issues.map((i) => `${i.code} ${i.path}`);
}

describe('a valid plan', () => {
  test('parses from a value, JSON text and UTF-8 bytes, safely and not', () => {
    const bytes = new TextEncoder().encode(text);
    for (const result of [
      safeParseDocument('HandoffPlan', base),
      safeParseDocumentJson('HandoffPlan', text),
      safeParseDocumentJson('HandoffPlan', bytes),
    ]) {
      expect(result).toEqual({ success: true, data: base });
    }
    expect(parseDocument('HandoffPlan', base)).toEqual(base);
    expect(parseDocumentJson('HandoffPlan', bytes)).toEqual(base);
  });

  test('is not some other kind of document', () => {
    for (const kind of DOCUMENT_KINDS.filter((k) => k !== 'HandoffPlan')) {
      expect(issuesOf(safeParseDocument(kind, base))).toContain('INVALID_VALUE /kind');
    }
  });
});

test('DOCUMENT_KINDS lists the 6 top-level documents, one per schema', () => {
  expect(DOCUMENT_KINDS).toEqual([
    'HandoffPlan',
    'ApprovalClaims',
    'PolicyDecision',
    'LineageEvent',
    'DispatchReceipt',
    'ErrorEnvelope',
  ]);
  expect(Object.keys(DOCUMENT_SCHEMAS)).toEqual(DOCUMENT_KINDS);
});

describe('DOCUMENT_TOO_LARGE', () => {
  const max = LIMITS.MAX_DOCUMENT_BYTES;
  const padded = (bytes: number) => text + ' '.repeat(bytes - Buffer.byteLength(text));

  test('raw text one byte above the default limit (valid JSON otherwise) is too large', () => {
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', padded(max + 1)))).toEqual([
      'DOCUMENT_TOO_LARGE ',
    ]);
    expect(safeParseDocumentJson('HandoffPlan', padded(max)).success).toBe(true);
  });

  test('a smaller maxBytes applies, to text and to values', () => {
    const size = Buffer.byteLength(text);
    expect(safeParseDocumentJson('HandoffPlan', text, { maxBytes: size }).success).toBe(true);
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', text, { maxBytes: size - 1 }))).toEqual([
      'DOCUMENT_TOO_LARGE ',
    ]);
    const compact = Buffer.byteLength(JSON.stringify(base));
    expect(safeParseDocument('HandoffPlan', base, { maxBytes: compact }).success).toBe(true);
    expect(issuesOf(safeParseDocument('HandoffPlan', base, { maxBytes: compact - 1 }))).toEqual([
      'DOCUMENT_TOO_LARGE ',
    ]);
  });

  test('the limit counts UTF-8 bytes, not characters', () => {
    const json = JSON.stringify(base).replace('UCI Bank Marketing', '€'.repeat(1000));
    const plan: unknown = JSON.parse(json);
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', json, { maxBytes: json.length }))).toEqual(
      ['DOCUMENT_TOO_LARGE '],
    );
    expect(issuesOf(safeParseDocument('HandoffPlan', plan, { maxBytes: json.length }))).toEqual([
      'DOCUMENT_TOO_LARGE ',
    ]);
    expect(
      safeParseDocumentJson('HandoffPlan', json, { maxBytes: json.length + 2000 }).success,
    ).toBe(true);
  });

  test('is checked before parsing: huge invalid text or bytes never reach JSON.parse', () => {
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', '{'.repeat(max + 1)))).toEqual([
      'DOCUMENT_TOO_LARGE ',
    ]);
    const bytes = new Uint8Array(max + 1).fill(0xff);
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', bytes))).toEqual(['DOCUMENT_TOO_LARGE ']);
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', 'nope', { maxBytes: 3 }))).toEqual([
      'DOCUMENT_TOO_LARGE ',
    ]);
  });

  test('parseDocumentJson throws it', () => {
    expect(() => parseDocumentJson('HandoffPlan', text, { maxBytes: 10 })).toThrow(
      /DOCUMENT_TOO_LARGE/,
    );
  });
});

describe('INVALID_JSON', () => {
  test.each([
    '',
    '{',
    '{"protocolVersion":"1.0",}',
    "{'kind':'HandoffPlan'}",
    '{"a":NaN}',
    '{"a":1} trailing',
    '\ufeff{}', // a byte order mark is not JSON
  ])('malformed text %j', (json) => {
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', json))).toEqual(['INVALID_JSON ']);
  });

  test.each([
    ['0xff', [0x7b, 0xff, 0x7d]],
    ['a truncated sequence', [0x22, 0xc3, 0x22]],
    ['an encoded surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ['an overlong encoding', [0x22, 0xc0, 0xaf, 0x22]],
  ])('bytes that are not UTF-8 (%s)', (_label, bytes) => {
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', new Uint8Array(bytes)))).toEqual([
      'INVALID_JSON ',
    ]);
  });

  test('a value with no JSON form', () => {
    const circular: Record<string, unknown> = { ...base };
    circular.self = circular;
    for (const value of [{ ...base, extra: 1n }, circular, undefined, () => base]) {
      expect(issuesOf(safeParseDocument('HandoffPlan', value))).toEqual(['INVALID_JSON ']);
    }
  });
});

describe('prototype keys in JSON text', () => {
  test('__proto__ and constructor are unrecognized keys and pollute nothing', () => {
    const json = text
      .replace('{', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},')
      .replace('"rationale"', '"__proto__":{"polluted":true},"rationale"');
    const result = safeParseDocumentJson('HandoffPlan', json);
    expect(issuesOf(result).sort()).toEqual([
      'UNRECOGNIZED_KEY /__proto__',
      'UNRECOGNIZED_KEY /constructor',
      'UNRECOGNIZED_KEY /options/0/__proto__',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });
});

describe('issue codes and order', () => {
  /** A deep copy of the fixture typed so its first option can be edited or have members deleted freely. */
  function editable() {
    return structuredClone(base) as unknown as {
      options: [{ audience: Record<string, unknown>; actions: [Record<string, unknown>] }];
    };
  }

  test("issues keep zod's order: schema members as declared, then unrecognized keys as found (not sorted)", () => {
    const input = { zzz: 1, ...structuredClone(base), tenantId: '', planId: 'x', aaa: 2 };
    expect(issuesOf(safeParseDocument('HandoffPlan', input))).toEqual([
      'INVALID_FORMAT /planId',
      'INVALID_FORMAT /tenantId',
      'UNRECOGNIZED_KEY /zzz',
      'UNRECOGNIZED_KEY /aaa',
    ]);
  });

  test('a missing value is REQUIRED, a wrong-typed value INVALID_TYPE, a float NOT_INTEGER', () => {
    const { createdAt: _dropped, ...noCreatedAt } = base;
    expect(issuesOf(safeParseDocument('HandoffPlan', noCreatedAt))).toEqual([
      'REQUIRED /createdAt',
    ]);
    expect(issuesOf(safeParseDocument('HandoffPlan', { ...base, createdAt: 20261121 }))).toEqual([
      'INVALID_TYPE /createdAt',
    ]);
    expect(issuesOf(safeParseDocument('HandoffPlan', { ...base, createdAt: null }))).toEqual([
      'INVALID_TYPE /createdAt',
    ]);
    expect(issuesOf(safeParseDocument('HandoffPlan', { ...base, options: 'none' }))).toEqual([
      'INVALID_TYPE /options',
    ]);
    const plan = editable();
    plan.options[0].audience.estimatedSize = 1.5;
    expect(issuesOf(safeParseDocument('HandoffPlan', plan))).toEqual([
      'NOT_INTEGER /options/0/audience/estimatedSize',
    ]);
  });

  test('an unknown discriminator value (an action type) is INVALID_DISCRIMINATOR', () => {
    const plan = editable();
    plan.options[0].actions[0].type = 'teleport';
    expect(issuesOf(safeParseDocument('HandoffPlan', plan))).toEqual([
      'INVALID_DISCRIMINATOR /options/0/actions/0/type',
    ]);
  });

  test('a missing action type is REQUIRED', () => {
    const plan = editable();
    delete plan.options[0].actions[0].type;
    expect(issuesOf(safeParseDocument('HandoffPlan', plan))).toEqual([
      'REQUIRED /options/0/actions/0/type',
    ]);
  });

  test('the same defects give the same issues from a value and from JSON text', () => {
    const { kind: _dropped, ...noKind } = { ...base, tenantId: 7, extra: true };
    expect(issuesOf(safeParseDocument('HandoffPlan', noKind))).toEqual([
      'REQUIRED /kind',
      'INVALID_TYPE /tenantId',
      'UNRECOGNIZED_KEY /extra',
    ]);
    expect(issuesOf(safeParseDocumentJson('HandoffPlan', JSON.stringify(noKind)))).toEqual(
      issuesOf(safeParseDocument('HandoffPlan', noKind)),
    );
  });
});

describe('PolicyDecision.path', () => {
  const decision = {
    protocolVersion: '1.0',
    kind: 'PolicyDecision',
    planId: base.planId,
    planDigest: `sha256:${'a'.repeat(64)}`,
    optionId: 'call-prior-successes',
    policyVersion: 'policy-2026-11',
    ruleId: 'max-daily-spend',
    decision: 'deny',
    enforcement: 'hard_mandatory',
    reasonCode: 'BUDGET_EXCEEDED',
    path: '/options/0/budget/amount/amountMinor',
    message: 'Daily spend above the tenant cap',
    evaluatedAt: '2026-11-21T09:00:01Z',
  };

  test.each([
    ['an ordinary pointer', '/options/0/budget/amount/amountMinor'],
    ['the whole document', ''],
    ['the empty member name', '/'],
    ['a member name holding a newline', '/params/evil\nkey'],
    ['a carriage return and a line separator', '/a\rb/c\u2028d'],
    ['a trailing newline', '/a\n'],
  ])('accepts %s', (_label, path) => {
    const result = safeParseDocument('PolicyDecision', { ...decision, path });
    expect(result.success ? [] : issuesOf(result)).toEqual([]);
    expect(
      safeParseDocumentJson('PolicyDecision', JSON.stringify({ ...decision, path })).success,
    ).toBe(true);
  });

  test.each([
    ['no leading slash', 'options/0'],
    ['a newline before the slash', '\n/options'],
    ['over 1024 characters', `/${'x'.repeat(1024)}`],
  ])('rejects %s', (_label, path) => {
    expect(safeParseDocument('PolicyDecision', { ...decision, path }).success).toBe(false);
  });
});

describe('thrown errors', () => {
  const broken = { ...structuredClone(base), tenantId: '', planId: 'x', extra: 1, 'a/b~c': 2 };

  test('parseDocument throws ProtocolValidationError with issues, codes and the kind', () => {
    let caught: unknown;
    try {
      parseDocument('HandoffPlan', broken);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProtocolValidationError);
    expect(caught).toBeInstanceOf(ProtocolError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as ProtocolValidationError;
    expect(error.name).toBe('ProtocolValidationError');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.documentKind).toBe('HandoffPlan');
    expect([...error.issues.map((i) => `${i.code} ${i.path}`)].sort()).toEqual([
      'INVALID_FORMAT /planId',
      'INVALID_FORMAT /tenantId',
      'UNRECOGNIZED_KEY /a~1b~0c',
      'UNRECOGNIZED_KEY /extra',
    ]);
    expect(error.codes).toEqual([...new Set(error.issues.map((i) => i.code))]);
    expect([...error.codes].sort()).toEqual(['INVALID_FORMAT', 'UNRECOGNIZED_KEY']);
    expect(error.message).toMatch(/^Invalid HandoffPlan: .* \(\+1 more\)$/);
  });

  const inputs: unknown[] = [
    null,
    0,
    'HandoffPlan',
    [],
    {},
    { protocolVersion: '1.0' },
    broken,
    base,
    { ...base, protocolVersion: '9.9' },
    { ...base, options: [{ ...base.options[0], actions: [{ type: 'teleport' }] }] },
    { ...base, options: 'none', inputs: [null], copilot: [] },
    JSON.parse('{"protocolVersion":"1.0","__proto__":{}}'),
  ];

  test.each(DOCUMENT_KINDS)('%s: no ZodError escapes and every issue is well formed', (kind) => {
    for (const input of inputs) {
      const result = safeParseDocument(kind, input);
      if (result.success) continue;
      expect(result.error.constructor.name).not.toMatch(/Zod/);
      for (const issue of result.error.issues) {
        expect(issue.path === '' || issue.path.startsWith('/'), issue.path).toBe(true);
        expect(PROTOCOL_ISSUE_CODES).toContain(issue.code);
        expect(issue.message.length).toBeGreaterThan(0);
      }
      let thrown: unknown;
      try {
        parseDocument(kind, input);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProtocolError);
      expect(thrown).not.toBeInstanceOf(z.ZodError);
      expect(thrown).not.toBeInstanceOf(z.core.$ZodError);
      expect((thrown as Error).constructor.name).toMatch(
        /^(ProtocolValidationError|UnsupportedVersionError)$/,
      );
    }
  });

  test('switch (err.code) narrows to the concrete error', () => {
    function summary(err: AnyProtocolError): string {
      switch (err.code) {
        case 'VALIDATION_FAILED':
          return `${err.documentKind}: ${err.codes.join(',')}`;
        case 'UNSUPPORTED_VERSION':
          return `supported ${err.supported.join(',')}`;
        case 'UPGRADE_FAILED':
          return `upgrade: ${err.message}`;
        default: {
          const never: never = err;
          return never;
        }
      }
    }
    const invalid = safeParseDocument('HandoffPlan', { ...base, tenantId: '' });
    const version = safeParseDocument('HandoffPlan', { ...base, protocolVersion: '2.0' });
    if (invalid.success || version.success) throw new Error('expected both to fail');
    expect(summary(invalid.error)).toBe('HandoffPlan: INVALID_FORMAT');
    expect(version.error).toBeInstanceOf(UnsupportedVersionError);
    expect(summary(version.error)).toBe(`supported ${SUPPORTED_PROTOCOL_VERSIONS.join(',')}`);
    expect(summary(new UpgradeError('no path'))).toBe('upgrade: no path');
  });
});
