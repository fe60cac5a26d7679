import { ROLES, type Role } from '@handoff/protocol';
import { GatewayError } from '../errors.js';

/**
 * The roles a caller can hold, least to most operational:
 *
 * - `copilot`: an AI copilot that submits plans and reads their state.
 * - `approver`: a person who signs approvals or rejections of plans.
 * - `operator`: runs the gateway (kill switches, budget caps, dispatch retries).
 * - `auditor`: reads lineage and plans; changes nothing.
 * - `reporter`: an analytics job that reports the outcomes of dispatched plans (`outcomes.report`); nothing else.
 *
 * Roles are not ordered or inherited: a route names every role it admits.
 */
export { ROLES, type Role };

/**
 * An authenticated caller, as produced by the API-key or JWT authenticator.
 *
 * - `id`: the caller's stable identifier (an API key entry's `id`, or a JWT's `sub`). Never a secret.
 * - `tenantId`: the one tenant the caller acts for; every read and write is confined to it.
 * - `roles`: the caller's known roles, without duplicates, never empty.
 * - `via`: how the caller authenticated (`session`: a person signed in to the console with a passkey).
 */
export interface Principal {
  id: string;
  tenantId: string;
  roles: readonly Role[];
  via: 'api_key' | 'jwt' | 'session';
}

/** True when `value` is one of {@link ROLES}. Used to drop unknown roles from external credentials. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Asserts that `principal` holds at least one of the `allowed` roles.
 *
 * Fails closed: called with no `allowed` roles it admits nobody (a route that forgot its roles is refused, not
 * opened).
 *
 * @throws GatewayError `FORBIDDEN` when the principal holds none of `allowed`. The message names the roles
 *   needed (which are not secret), never credentials.
 */
export function requireRole(principal: Principal, ...allowed: Role[]): void {
  if (allowed.some((role) => principal.roles.includes(role))) return;
  const needed = allowed.length === 0 ? 'a role this route does not grant' : formatRoles(allowed);
  throw new GatewayError('FORBIDDEN', `This action requires ${needed}`, {
    details: { requiredRoles: [...allowed] },
  });
}

/**
 * True when `principal` acts for `tenantId`. Callers must never see another tenant's data.
 *
 * Use this for reads: the API layer answers a resource of another tenant with `NOT_FOUND` (as if it did not
 * exist), so a caller cannot probe which identifiers exist in other tenants. Use {@link requireTenant} where the
 * caller names the tenant itself (e.g. a `tenantId` in a request body), so a mismatch is a plain refusal.
 */
export function sameTenant(principal: Principal, tenantId: string): boolean {
  return principal.tenantId === tenantId;
}

/**
 * Asserts that `principal` acts for `tenantId`.
 *
 * For reads of a resource found by id, prefer `if (!sameTenant(...))` and answer `NOT_FOUND` (see
 * {@link sameTenant}): `FORBIDDEN` would confirm that the resource exists in some other tenant.
 *
 * @throws GatewayError `FORBIDDEN` when the tenants differ. The message names neither tenant.
 */
export function requireTenant(principal: Principal, tenantId: string): void {
  if (sameTenant(principal, tenantId)) return;
  throw new GatewayError('FORBIDDEN', 'This credential cannot act for another tenant');
}

function formatRoles(roles: readonly Role[]): string {
  const quoted = [...new Set(roles)].map((role) => `'${role}'`);
  return quoted.length === 1
    ? `the role ${quoted.join('')}`
    : `one of the roles ${quoted.join(', ')}`;
}
