import { describe, expect, test } from 'vitest';
import {
  BudgetCapSchema,
  DEFAULT_CAP_TIME_ZONE,
  MAX_BUDGET_CAPS,
  parseBudgetCaps,
} from '../../src/budget/cap.js';
import { GatewayError } from '../../src/errors.js';
import { capInput, TENANT } from './fixtures.js';

/** The GatewayError `parseBudgetCaps` throws for `input`, or a failure when it throws none. */
function rejection(input: unknown): GatewayError {
  try {
    parseBudgetCaps(input);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected parseBudgetCaps to throw');
}

describe('parseBudgetCaps', () => {
  test('accepts every scope type and defaults the time zone to UTC', () => {
    const caps = parseBudgetCaps([
      capInput(),
      capInput({
        capId: 'cap-wf',
        scope: { type: 'workflow', value: 'winback-q4' },
        period: 'day',
      }),
      capInput({ capId: 'cap-email', scope: { type: 'channel', value: 'email' }, period: 'week' }),
      capInput({
        capId: 'cap-hubspot',
        scope: { type: 'adapter', value: 'hubspot' },
        period: 'total',
      }),
      capInput({
        capId: 'cap-eur',
        limit: { amountMinor: 0, currency: 'EUR' },
        timeZone: 'Europe/Lisbon',
      }),
    ]);
    expect(caps.map((c) => c.capId)).toEqual([
      'cap-tenant',
      'cap-wf',
      'cap-email',
      'cap-hubspot',
      'cap-eur',
    ]);
    expect(caps[0]?.timeZone).toBe(DEFAULT_CAP_TIME_ZONE);
    expect(caps[4]?.timeZone).toBe('Europe/Lisbon');
  });

  test('the schema itself applies no default', () => {
    const parsed = BudgetCapSchema.parse(capInput());
    expect('timeZone' in parsed).toBe(false);
  });

  test('rejects an unknown time zone with a clear issue', () => {
    const error = rejection([
      capInput(),
      capInput({ capId: 'cap-2', period: 'day', timeZone: 'Mars/Olympus_Mons' }),
    ]);
    expect(error.code).toBe('BUDGET_CAP_INVALID');
    expect(error.issues).toEqual([
      { path: '/1/timeZone', code: 'UNKNOWN_TIME_ZONE', message: expect.stringContaining('IANA') },
    ]);
  });

  test.each(['+01:00', '', 'Europe/Lisbon ', '../etc/passwd'])(
    'rejects time zone %j',
    (timeZone) => {
      expect(rejection([capInput({ timeZone })]).issues[0]?.code).toBe('UNKNOWN_TIME_ZONE');
    },
  );

  test('a tenant-scope cap must name its own tenant', () => {
    const error = rejection([capInput({ scope: { type: 'tenant', value: 'someone-else' } })]);
    expect(error.issues).toEqual([
      {
        path: '/0/scope/value',
        code: 'SCOPE_TENANT_MISMATCH',
        message: expect.stringContaining(TENANT),
      },
    ]);
  });

  test('rejects unknown channels, scope types, keys and bad money with JSON Pointer paths', () => {
    const error = rejection([
      capInput({ scope: { type: 'channel', value: 'carrier_pigeon' } }),
      { ...capInput({ capId: 'c2' }), extra: true },
      capInput({ capId: 'c3', limit: { amountMinor: -1, currency: 'USD' } }),
      capInput({ capId: 'c4', limit: { amountMinor: 1.5, currency: 'XXX' as 'USD' } }),
      capInput({ capId: 'c5', period: 'year' as 'day' }),
      { ...capInput({ capId: 'c6' }), scope: { type: 'region', value: 'eu' } },
    ]);
    const found = error.issues.map((i) => [i.path, i.code]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['/0/scope/value', 'INVALID_VALUE'],
        ['/1/extra', 'UNRECOGNIZED_KEY'],
        ['/2/limit/amountMinor', 'MONEY_NEGATIVE'],
        ['/3/limit/amountMinor', 'MONEY_NOT_INTEGER'],
        ['/3/limit/currency', 'UNKNOWN_CURRENCY'],
        ['/4/period', 'INVALID_VALUE'],
        ['/5/scope/type', 'INVALID_VALUE'],
      ]),
    );
    expect(error.message).toMatch(/^Invalid budget caps: /);
  });

  test('reports a missing field as REQUIRED and a non-array as INVALID_TYPE', () => {
    const { capId: _dropped, ...noId } = capInput();
    expect(rejection([noId]).issues).toEqual([
      { path: '/0/capId', code: 'REQUIRED', message: expect.any(String) },
    ]);
    expect(rejection({ caps: [] }).issues[0]).toMatchObject({ path: '', code: 'INVALID_TYPE' });
  });

  test('rejects a second cap on the same tenant, scope, period and currency as DUPLICATE_CAP', () => {
    const error = rejection([capInput(), capInput({ capId: 'cap-other', timeZone: 'Asia/Tokyo' })]);
    expect(error.issues).toEqual([
      { path: '/1', code: 'DUPLICATE_CAP', message: expect.stringContaining('"cap-tenant"') },
    ]);
  });

  test('the same slot in another currency, period or tenant is not a duplicate', () => {
    const caps = parseBudgetCaps([
      capInput(),
      capInput({ capId: 'cap-eur', limit: { amountMinor: 5, currency: 'EUR' } }),
      capInput({ capId: 'cap-day', period: 'day' }),
      capInput({ tenantId: 'other-co', scope: { type: 'tenant', value: 'other-co' } }),
    ]);
    expect(caps).toHaveLength(4);
  });

  test('rejects a capId used twice within one tenant as DUPLICATE_CAP_ID', () => {
    const error = rejection([capInput(), capInput({ period: 'day' })]);
    expect(error.issues).toEqual([
      { path: '/1/capId', code: 'DUPLICATE_CAP_ID', message: expect.any(String) },
    ]);
  });

  test(`accepts at most ${MAX_BUDGET_CAPS} caps`, () => {
    const many = Array.from({ length: MAX_BUDGET_CAPS + 1 }, (_, i) =>
      capInput({ capId: `cap-${i}`, scope: { type: 'adapter', value: `adapter-${i}` } }),
    );
    expect(rejection(many).issues[0]).toMatchObject({ path: '', code: 'TOO_BIG' });
  });
});
