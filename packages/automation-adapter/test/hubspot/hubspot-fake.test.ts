import { describe, expect, test } from 'vitest';
import { HUBAPI, NOW_MS, TOKEN, useHubSpotFake } from './hubspot-fixtures.js';

let clock = NOW_MS;
const { fake } = useHubSpotFake({ now: () => clock, rateLimit: { perTenSeconds: 3 } });

function call(method: string, path: string, body?: unknown, token = TOKEN, signal?: AbortSignal) {
  return fetch(`${HUBAPI}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
}

const SEND = '/marketing/v4/email/single-send';
const UPSERT = '/crm/v3/objects/contacts/batch/upsert';

describe('HubSpot fake', () => {
  test('401 with HubSpot body for a wrong token; the credential is redacted in the record', async () => {
    clock = NOW_MS;
    const response = await call('PUT', '/crm/v3/lists/77/memberships/add', ['1001'], 'nope');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(fake.received[0]?.headers.authorization).toBe('[redacted]');
    expect(fake.applied).toHaveLength(0);
  });

  test('400 VALIDATION_ERROR for malformed bodies, 101 inputs, duplicate ids', async () => {
    clock += 60_000;
    const inputs = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        idProperty: 'email',
        id: `c${i}@example.com`,
        properties: {},
      }));
    const tooMany = await call('POST', UPSERT, { inputs: inputs(101) });
    expect([tooMany.status, (await tooMany.json()).category]).toEqual([400, 'VALIDATION_ERROR']);
    const dup = await call('POST', UPSERT, { inputs: [...inputs(1), ...inputs(1)] });
    expect((await dup.json()).message).toContain('Duplicate IDs');
    clock += 60_000;
    const noTo = await call('POST', SEND, { emailId: 555, message: {} });
    expect(noTo.status).toBe(400);
    expect(fake.applied).toHaveLength(0);
  });

  test('404 OBJECT_NOT_FOUND for unknown workflow, list and email ids', async () => {
    clock += 60_000;
    const statuses = await Promise.all([
      call('POST', '/automation/v2/workflows/1/enrollments/contacts/ada%40example.com'),
      call('PUT', '/crm/v3/lists/1/memberships/add', ['1001']),
      call('POST', SEND, { emailId: 1, message: { to: 'ada@example.com' } }),
    ]);
    expect(statuses.map((r) => r.status)).toEqual([404, 404, 404]);
    const bodies = await Promise.all(statuses.map((r) => r.json()));
    expect(bodies.map((b) => b.category)).toEqual(Array(3).fill('OBJECT_NOT_FOUND'));
  });

  test('its own rolling 10 s window: 429 TEN_SECONDLY_ROLLING with headers, clear after the window', async () => {
    clock += 60_000;
    const send = (id: string) =>
      call('POST', SEND, { emailId: 555, message: { to: 'ada@example.com', sendId: id } });
    const ok = [await send('a'), await send('b'), await send('c')];
    expect(ok.map((r) => r.headers.get('x-hubspot-ratelimit-remaining'))).toEqual(['2', '1', '0']);
    const limited = await send('d');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(await limited.json()).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      message: 'You have reached your secondly limit.',
    });
    clock += 10_000;
    expect((await send('d')).status).toBe(200);
  });

  test('dedupes single sends on sendId; enrolments are applied every time', async () => {
    clock += 60_000;
    const body = { emailId: 555, message: { to: 'new@example.com', sendId: 's-1' } };
    const first = await (await call('POST', SEND, body)).json();
    const second = await (await call('POST', SEND, body)).json();
    expect(second).toEqual(first);
    expect(fake.sends).toHaveLength(1);
    expect(fake.contact('NEW@example.com')?.email).toBe('new@example.com');
    clock += 10_000;
    const enrol = () =>
      call('POST', '/automation/v2/workflows/4242/enrollments/contacts/ada%40example.com');
    expect([(await enrol()).status, (await enrol()).status]).toEqual([204, 204]);
    expect(fake.enrollments).toHaveLength(2);
    expect(fake.applied.map((c) => c.method)).toEqual(['POST', 'POST', 'POST']);
  });

  test('faults: 503, a timeout held until the client aborts (applied first), a reset', async () => {
    clock += 60_000;
    fake.inject({ kind: 'server_error', status: 503 });
    expect((await call('PUT', '/crm/v3/lists/77/memberships/add', ['1001'])).status).toBe(503);
    fake.inject({ kind: 'timeout', applied: true });
    const started = Date.now();
    await expect(
      call('PUT', '/crm/v3/lists/77/memberships/add', ['1001'], TOKEN, AbortSignal.timeout(80)),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(fake.listMembers('77')).toEqual(['1001']);
    fake.inject({ kind: 'reset' });
    await expect(call('PUT', '/crm/v3/lists/77/memberships/add', ['1002'])).rejects.toThrow();
    expect(fake.listMembers('77')).toEqual(['1001']);
    expect(fake.applied).toHaveLength(1);
  });

  test('reset() restores the seeded account', async () => {
    clock += 60_000;
    await call('PUT', '/crm/v3/lists/77/memberships/add', ['1001']);
    fake.reset();
    expect([fake.received.length, fake.applied.length, fake.listMembers('77')]).toEqual([0, 0, []]);
    expect(fake.contact('ada@example.com')?.id).toBe('1001');
  });
});
