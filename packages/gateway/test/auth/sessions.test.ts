import { afterEach, describe, expect, test } from 'vitest';
import { authenticateSession, SESSION_TTL_MS, SessionStore } from '../../src/auth/sessions.js';
import { ManualClock } from '../../src/clock.js';
import { isGatewayError } from '../../src/errors.js';
import { T0, TENANT_ID, tempDatabase } from '../store/fixtures.js';

let db: ReturnType<typeof tempDatabase> | undefined;
afterEach(async () => {
  await db?.cleanup();
  db = undefined;
});

const PERSON = {
  tenantId: TENANT_ID,
  subject: 'ana.finance',
  access: ['approver' as const],
  approvalRoles: ['finance'],
};

describe('console sessions in the store', () => {
  test('a session survives a restart and is accepted by another replica on the same database', async () => {
    db = tempDatabase();
    const clock = new ManualClock(T0);
    const first = db.open();
    const { id, session } = await new SessionStore(first, clock).open(PERSON);
    await first.close();
    // A restart, or another replica: a new store on the same database.
    const other = new SessionStore(db.open(), clock);
    expect(await other.get(id)).toEqual(session);
    const signedIn = await authenticateSession(other, {
      cookie: `handoff_session=${id}`,
      csrf: session.csrfToken,
      mutation: true,
    });
    expect(signedIn.principal).toMatchObject({ id: 'ana.finance', via: 'session' });
  });

  test('keeps only the SHA-256 of the session id, never the id', async () => {
    db = tempDatabase();
    const store = db.open();
    const { id } = await new SessionStore(store, new ManualClock(T0)).open(PERSON);
    const rows = store.sqlite.prepare('select * from console_sessions').all();
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(rows).toHaveLength(1);
  });

  test('expires by the clock, ends on sign-out, and an unknown cookie is UNAUTHENTICATED', async () => {
    db = tempDatabase();
    const clock = new ManualClock(T0);
    const sessions = new SessionStore(db.open(), clock);
    const kept = await sessions.open(PERSON);
    const ended = await sessions.open(PERSON);
    await sessions.close(ended.id);
    expect(await sessions.get(ended.id)).toBeUndefined();
    clock.advance(SESSION_TTL_MS - 1);
    expect(await sessions.get(kept.id)).toBeDefined();
    clock.advance(1);
    expect(await sessions.get(kept.id)).toBeUndefined();
    const refused = await authenticateSession(sessions, {
      cookie: `handoff_session=${kept.id}`,
      csrf: undefined,
      mutation: false,
    }).catch((error: unknown) => error);
    expect(isGatewayError(refused, 'UNAUTHENTICATED')).toBe(true);
  });
});
