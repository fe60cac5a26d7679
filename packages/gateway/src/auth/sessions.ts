import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { GatewayStore } from '../store/store.js';
import { isRole, type Principal, type Role } from './principal.js';

/** The session cookie of a person signed in to the console (HttpOnly, SameSite=Strict, Secure over TLS). */
export const SESSION_COOKIE = 'handoff_session';
/** The header every mutation made with a session cookie carries: the session's CSRF token. */
export const CSRF_HEADER = 'x-handoff-csrf';
/** How long a session lasts from sign-in: 8 hours (one working day), in milliseconds. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** A signed-in person: who, in which tenant, with which principal roles and approval roles, until when. */
export interface ConsoleSession {
  tenantId: string;
  subject: string;
  access: Role[];
  approvalRoles: string[];
  csrfToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex');

/**
 * The console's server-side sessions, in the store (`console_sessions`), so a session opened on one replica is
 * accepted by every other and outlives a restart, and signing out on one ends it on all. A session id is 32 random
 * bytes (base64url), stored only as its SHA-256, so the table holds nothing a cookie could be rebuilt from; the
 * CSRF token is another 32 random bytes (the synchronizer token pattern of the OWASP CSRF Prevention Cheat Sheet).
 * Sessions expire {@link SESSION_TTL_MS} after sign-in, by the injected clock; every lookup reads the store (no
 * copy kept in memory), and each sign-in deletes the sessions already expired.
 */
export class SessionStore {
  readonly #store: GatewayStore;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(store: GatewayStore, clock: Clock, ttlMs = SESSION_TTL_MS) {
    this.#store = store;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** Opens a session; answers the session id (the cookie value) and the session. */
  async open(person: Omit<ConsoleSession, 'csrfToken' | 'expiresAt'>): Promise<{
    id: string;
    session: ConsoleSession;
  }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const session: ConsoleSession = {
      ...person,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: now + this.#ttlMs,
    };
    await this.#store.transaction(async (tx) => {
      await tx.deleteExpiredConsoleSessions(now);
      await tx.insertConsoleSession({ ...session, tokenHash: hashOf(id), createdAt: now });
    });
    return { id, session };
  }

  /** The live session of a cookie value, or undefined (unknown, ended or expired). */
  async get(id: string): Promise<ConsoleSession | undefined> {
    const now = this.#clock.now();
    const record = await this.#store.transaction((tx) => tx.consoleSession(hashOf(id), now));
    if (record === undefined || now >= record.expiresAt) return undefined;
    return {
      tenantId: record.tenantId,
      subject: record.subject,
      access: record.access.filter(isRole),
      approvalRoles: record.approvalRoles,
      csrfToken: record.csrfToken,
      expiresAt: record.expiresAt,
    };
  }

  /** Ends a session, on every replica (no-op for an unknown one). */
  async close(id: string): Promise<void> {
    await this.#store.transaction((tx) => tx.deleteConsoleSession(hashOf(id)));
  }
}

/** The principal of a session: the same a credential gives (tenant and roles from the approver registry). */
export function sessionPrincipal(session: ConsoleSession): Principal {
  return { id: session.subject, tenantId: session.tenantId, roles: session.access, via: 'session' };
}

/** The value of cookie `name` in a `Cookie` header (RFC 6265 section 5.4), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * Authenticates a request by its session cookie: the session's principal, and for a mutation the CSRF check.
 *
 * @throws GatewayError `UNAUTHENTICATED` when the cookie names no live session; `CSRF_TOKEN_INVALID` when a
 *   mutation's `x-handoff-csrf` header is missing or is not the session's token.
 */
export async function authenticateSession(
  sessions: SessionStore,
  request: { cookie: string | undefined; csrf: string | undefined; mutation: boolean },
): Promise<{ principal: Principal; session: ConsoleSession; id: string }> {
  const id = cookieValue(request.cookie, SESSION_COOKIE);
  const session = id === undefined ? undefined : await sessions.get(id);
  if (id === undefined || session === undefined) {
    throw new GatewayError('UNAUTHENTICATED', 'No live console session: sign in again', {
      details: { reason: 'session' },
    });
  }
  if (request.mutation) {
    const given = Buffer.from(request.csrf ?? '');
    const expected = Buffer.from(session.csrfToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new GatewayError(
        'CSRF_TOKEN_INVALID',
        `A mutation made with a session needs the ${CSRF_HEADER} header of the session`,
      );
    }
  }
  return { principal: sessionPrincipal(session), session, id };
}

/**
 * The `Set-Cookie` value of a session (RFC 6265 section 4.1): HttpOnly, SameSite=Strict, Path=/, Max-Age in
 * seconds, Secure when served over TLS. `id` empty and `maxAgeSec` 0 clear it.
 */
export function sessionCookie(id: string, maxAgeSec: number, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  parts.push(`Max-Age=${Math.max(0, Math.floor(maxAgeSec))}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
