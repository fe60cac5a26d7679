import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_UPGRADES,
  DOCUMENT_KINDS,
  type DocumentUpgrade,
  documentDigest,
  type HandoffPlan,
  PROTOCOL_VERSION_1_0,
  PROTOCOL_VERSION_1_1,
  ProtocolError,
  ProtocolValidationError,
  type RawDocument,
  SUPPORTED_PROTOCOL_VERSIONS,
  safeParseDocument,
  UnsupportedVersionError,
  UpgradeError,
  UpgradeRegistry,
} from '../src/index.js';

const base: HandoffPlan = JSON.parse(
  readFileSync(
    new URL('../conformance/v1/HandoffPlan/valid/term-deposit-two-options.json', import.meta.url),
    'utf8',
  ),
);

/** A hypothetical 0.9 plan: the same plan, with `tenant` where 1.0 has `tenantId`. */
function oldPlan(version = '0.9'): RawDocument {
  const { tenantId, ...rest } = structuredClone(base);
  return { ...rest, protocolVersion: version, tenant: tenantId };
}

/** 0.9 -> 1.0: renames `tenant` to `tenantId`. Mutates its argument on purpose (the registry passes a copy). */
const renameTenant: DocumentUpgrade = {
  kind: 'HandoffPlan',
  from: '0.9',
  to: '1.0',
  upgrade: (doc) => {
    doc.tenantId = doc.tenant;
    delete doc.tenant;
    doc.protocolVersion = '1.0';
    return doc;
  },
};

function failure(result: ReturnType<typeof safeParseDocument>) {
  if (result.success) throw new Error('expected the parse to fail');
  return result.error;
}

describe('DEFAULT_UPGRADES', () => {
  test.each(DOCUMENT_KINDS)('%s upgrades from 1.0 only', (kind) => {
    expect(DEFAULT_UPGRADES.versionsFor(kind)).toEqual([PROTOCOL_VERSION_1_0]);
    expect(DEFAULT_UPGRADES.canUpgrade(kind, '0.9')).toBe(false);
    expect(() => DEFAULT_UPGRADES.upgrade(kind, { protocolVersion: '0.9' })).toThrow(UpgradeError);
  });

  test('an old plan is unsupported by default', () => {
    const error = failure(safeParseDocument('HandoffPlan', oldPlan()));
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect(error instanceof UnsupportedVersionError && error.supported).toEqual([
      ...SUPPORTED_PROTOCOL_VERSIONS,
    ]);
  });

  test.each(DOCUMENT_KINDS)('%s: a 1.0 document upgrades to 1.1 by its version alone', (kind) => {
    const input = { protocolVersion: PROTOCOL_VERSION_1_0, kind, anything: [1] };
    const output = DEFAULT_UPGRADES.upgrade(kind, input);
    expect(output).toEqual({ ...input, protocolVersion: PROTOCOL_VERSION_1_1 });
    expect(input.protocolVersion).toBe(PROTOCOL_VERSION_1_0);
  });

  test('a 1.0 plan is accepted as received; its 1.1 form is the same plan at 1.1, valid too', () => {
    expect(base.protocolVersion).toBe(PROTOCOL_VERSION_1_0);
    const received = safeParseDocument('HandoffPlan', base);
    expect(received.success && received.data).toEqual(base);
    const upgraded = DEFAULT_UPGRADES.upgrade('HandoffPlan', base);
    const parsed = safeParseDocument('HandoffPlan', upgraded);
    expect(parsed.success && parsed.data).toEqual({
      ...base,
      protocolVersion: PROTOCOL_VERSION_1_1,
    });
    // The digest binds to what was received: parsing never upgrades, so a 1.0 plan keeps its digest.
    expect(received.success && documentDigest(received.data)).toBe(documentDigest(base));
    expect(documentDigest(upgraded)).not.toBe(documentDigest(base));
  });
});

describe('upgrading through a registry', () => {
  test('an old plan parses as the latest shape and the input is not mutated', () => {
    const upgrades = new UpgradeRegistry([renameTenant]);
    const input = oldPlan();
    const snapshot = structuredClone(input);
    const result = safeParseDocument('HandoffPlan', input, { upgrades });
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.data).toEqual(base);
    expect(input).toEqual(snapshot);
    expect(input).toHaveProperty('tenant', 'acme-bank');
    expect(input).not.toHaveProperty('tenantId');
  });

  test('registry.upgrade returns a new document and leaves the input alone', () => {
    const upgrades = new UpgradeRegistry().register(renameTenant);
    const input = oldPlan();
    const output = upgrades.upgrade('HandoffPlan', input);
    expect(output).not.toBe(input);
    expect(output).toMatchObject({ protocolVersion: '1.0', tenantId: 'acme-bank' });
    expect(input).toMatchObject({ protocolVersion: '0.9', tenant: 'acme-bank' });
  });

  test('steps chain in order: 0.8 -> 0.9 -> 1.0', () => {
    const calls: string[] = [];
    const to09: DocumentUpgrade = {
      kind: 'HandoffPlan',
      from: '0.8',
      to: '0.9',
      upgrade: (doc) => {
        calls.push('0.8');
        return { ...doc, protocolVersion: '0.9' };
      },
    };
    const upgrades = new UpgradeRegistry([
      {
        ...renameTenant,
        upgrade: (doc) => {
          calls.push('0.9');
          return renameTenant.upgrade(doc);
        },
      },
      to09,
    ]);
    expect(upgrades.versionsFor('HandoffPlan').sort()).toEqual(['0.8', '0.9']);
    expect(upgrades.canUpgrade('HandoffPlan', '0.8')).toBe(true);
    expect(safeParseDocument('HandoffPlan', oldPlan('0.8'), { upgrades }).success).toBe(true);
    expect(calls).toEqual(['0.8', '0.9']);
  });

  test('a step only applies to its own kind', () => {
    const upgrades = new UpgradeRegistry([renameTenant]);
    expect(upgrades.versionsFor('ApprovalClaims')).toEqual([]);
    expect(upgrades.canUpgrade('ApprovalClaims', '0.9')).toBe(false);
    const error = failure(
      safeParseDocument('ApprovalClaims', { protocolVersion: '0.9' }, { upgrades }),
    );
    expect(error).toBeInstanceOf(UnsupportedVersionError);
  });

  test('an unknown version lists the latest and the upgradable versions', () => {
    const upgrades = new UpgradeRegistry([renameTenant]);
    const error = failure(safeParseDocument('HandoffPlan', oldPlan('0.5'), { upgrades }));
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    if (!(error instanceof UnsupportedVersionError)) return;
    expect(error.supported).toEqual([...SUPPORTED_PROTOCOL_VERSIONS, '0.9']);
    expect(error.requested).toBe('0.5');
  });

  test('a registered version given as a number is still unsupported', () => {
    const upgrades = new UpgradeRegistry([renameTenant]);
    const error = failure(
      safeParseDocument('HandoffPlan', { ...oldPlan(), protocolVersion: 0.9 }, { upgrades }),
    );
    expect(error).toBeInstanceOf(UnsupportedVersionError);
  });

  test('an upgraded document is still validated', () => {
    const forgetful: DocumentUpgrade = {
      ...renameTenant,
      upgrade: (doc) => ({ ...doc, protocolVersion: '1.0' }),
    };
    const error = failure(
      safeParseDocument('HandoffPlan', oldPlan(), { upgrades: new UpgradeRegistry([forgetful]) }),
    );
    expect(error).toBeInstanceOf(ProtocolValidationError);
    const found = error.issues.map(({ code, path }) => `${code} ${path}`).sort();
    expect(found).toEqual(['REQUIRED /tenantId', 'UNRECOGNIZED_KEY /tenant']);
  });
});

describe('failing steps', () => {
  const throwing: DocumentUpgrade = {
    ...renameTenant,
    upgrade: () => {
      throw new Error('boom');
    },
  };
  const noVersion: DocumentUpgrade = {
    ...renameTenant,
    upgrade: (doc) => ({ ...doc, tenantId: doc.tenant, tenant: undefined }),
  };

  test.each([
    ['throws', throwing, /failed: Error: boom/],
    ['does not set protocolVersion', noVersion, /did not set protocolVersion to 1\.0/],
  ])('a step that %s: registry.upgrade throws UpgradeError', (_label, step, message) => {
    const registry = new UpgradeRegistry([step]);
    expect(registry.canUpgrade('HandoffPlan', '0.9')).toBe(true);
    let caught: unknown;
    try {
      registry.upgrade('HandoffPlan', oldPlan());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpgradeError);
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as UpgradeError).code).toBe('UPGRADE_FAILED');
    expect((caught as UpgradeError).message).toMatch(message);
  });

  test.each([
    ['throws', throwing],
    ['does not set protocolVersion', noVersion],
  ])(
    'a step that %s: safeParseDocument fails with UNSUPPORTED_VERSION at /protocolVersion',
    (_l, step) => {
      const result = safeParseDocument('HandoffPlan', oldPlan(), {
        upgrades: new UpgradeRegistry([step]),
      });
      const error = failure(result);
      expect(error).toBeInstanceOf(ProtocolValidationError);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]).toMatchObject({
        path: '/protocolVersion',
        code: 'UNSUPPORTED_VERSION',
      });
      expect(error.issues[0]?.message).toMatch(/HandoffPlan from 0\.9/);
    },
  );
});

describe('a step that returns no object', () => {
  const returning = (value: unknown): DocumentUpgrade => ({
    ...renameTenant,
    upgrade: () => value as RawDocument,
  });
  const arrayWithVersion = Object.assign([], { protocolVersion: '1.0' });
  const cases: [label: string, value: unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', '{"protocolVersion":"1.0"}'],
    ['a number', 1],
    ['a boolean', true],
    ['an array', []],
    ['an array carrying protocolVersion', arrayWithVersion],
  ];

  test.each(cases)('%s: registry.upgrade throws UpgradeError (UPGRADE_FAILED)', (_label, value) => {
    const registry = new UpgradeRegistry([returning(value)]);
    let caught: unknown;
    try {
      registry.upgrade('HandoffPlan', oldPlan());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpgradeError);
    expect(caught).not.toBeInstanceOf(TypeError);
    expect((caught as UpgradeError).code).toBe('UPGRADE_FAILED');
    expect((caught as UpgradeError).message).toMatch(
      /HandoffPlan from 0\.9 did not return an object/,
    );
  });

  test.each(cases)(
    '%s: safeParseDocument fails with UNSUPPORTED_VERSION at /protocolVersion, never throws',
    (_label, value) => {
      const upgrades = new UpgradeRegistry([returning(value)]);
      const error = failure(safeParseDocument('HandoffPlan', oldPlan(), { upgrades }));
      expect(error).toBeInstanceOf(ProtocolValidationError);
      expect(error.issues).toEqual([
        expect.objectContaining({ path: '/protocolVersion', code: 'UNSUPPORTED_VERSION' }),
      ]);
      expect(error.issues[0]?.message).toMatch(/did not return an object/);
    },
  );

  test('the second step of a chain returning null is caught too, and names its version', () => {
    const to09: DocumentUpgrade = {
      kind: 'HandoffPlan',
      from: '0.8',
      to: '0.9',
      upgrade: (doc) => ({ ...doc, protocolVersion: '0.9' }),
    };
    const registry = new UpgradeRegistry([to09, returning(null)]);
    expect(() => registry.upgrade('HandoffPlan', oldPlan('0.8'))).toThrow(
      /HandoffPlan from 0\.9 did not return an object/,
    );
  });
});

describe('registration', () => {
  test('a duplicate step throws UpgradeError, in register and in the constructor', () => {
    const registry = new UpgradeRegistry([renameTenant]);
    expect(() => registry.register({ ...renameTenant, to: '0.95' })).toThrow(UpgradeError);
    expect(() => new UpgradeRegistry([renameTenant, renameTenant])).toThrow(/already registered/);
    // The first registration stands.
    expect(registry.versionsFor('HandoffPlan')).toEqual(['0.9']);
  });

  test('the same version for two kinds is not a duplicate', () => {
    const registry = new UpgradeRegistry([renameTenant, { ...renameTenant, kind: 'LineageEvent' }]);
    expect(registry.versionsFor('LineageEvent')).toEqual(['0.9']);
  });

  test('a cycle does not hang: no chain reaches the latest', () => {
    const registry = new UpgradeRegistry([
      {
        kind: 'HandoffPlan',
        from: '0.8',
        to: '0.9',
        upgrade: (d) => ({ ...d, protocolVersion: '0.9' }),
      },
      {
        kind: 'HandoffPlan',
        from: '0.9',
        to: '0.8',
        upgrade: (d) => ({ ...d, protocolVersion: '0.8' }),
      },
    ]);
    expect(registry.canUpgrade('HandoffPlan', '0.8')).toBe(false);
    expect(registry.canUpgrade('HandoffPlan', '0.9')).toBe(false);
    expect(() => registry.upgrade('HandoffPlan', oldPlan('0.8'))).toThrow(/No upgrade path/);
    const error = failure(safeParseDocument('HandoffPlan', oldPlan('0.8'), { upgrades: registry }));
    expect(error).toBeInstanceOf(UnsupportedVersionError);
  });

  test('a self-loop does not hang either', () => {
    const registry = new UpgradeRegistry([{ ...renameTenant, to: '0.9' }]);
    expect(registry.canUpgrade('HandoffPlan', '0.9')).toBe(false);
  });
});
