import { describe, expect, test } from 'vitest';
import {
  isRole,
  type Principal,
  ROLES,
  requireRole,
  requireTenant,
  sameTenant,
} from '../../src/auth/principal.js';
import { GatewayError } from '../../src/errors.js';

const approver: Principal = {
  id: 'user-ana',
  tenantId: 'tenant-a',
  roles: ['approver', 'auditor'],
  via: 'jwt',
};

function thrown(run: () => void): GatewayError {
  try {
    run();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('roles', () => {
  test('ROLES lists the five roles and isRole recognises exactly them', () => {
    expect(ROLES).toEqual(['copilot', 'approver', 'operator', 'auditor', 'reporter']);
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const other of ['admin', 'Approver', '', 1, null, undefined, ['approver']]) {
      expect(isRole(other)).toBe(false);
    }
  });
});

describe('requireRole', () => {
  test('allows a principal holding one of the allowed roles', () => {
    expect(() => requireRole(approver, 'approver')).not.toThrow();
    expect(() => requireRole(approver, 'operator', 'auditor')).not.toThrow();
  });

  test('denies with FORBIDDEN naming the needed roles', () => {
    const err = thrown(() => requireRole(approver, 'operator'));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.httpStatus).toBe(403);
    expect(err.message).toBe("This action requires the role 'operator'");
    expect(err.details).toEqual({ requiredRoles: ['operator'] });

    const many = thrown(() => requireRole(approver, 'copilot', 'operator'));
    expect(many.message).toBe("This action requires one of the roles 'copilot', 'operator'");
  });

  test('fails closed when no role is allowed', () => {
    const err = thrown(() => requireRole(approver));
    expect(err.code).toBe('FORBIDDEN');
  });

  test('never mentions the principal or its credential', () => {
    const err = thrown(() => requireRole(approver, 'copilot'));
    expect(err.message).not.toContain(approver.id);
    expect(err.message).not.toContain(approver.tenantId);
  });
});

describe('tenants', () => {
  test('sameTenant compares tenant ids exactly', () => {
    expect(sameTenant(approver, 'tenant-a')).toBe(true);
    expect(sameTenant(approver, 'tenant-b')).toBe(false);
    expect(sameTenant(approver, 'TENANT-A')).toBe(false);
  });

  test('requireTenant allows the own tenant', () => {
    expect(() => requireTenant(approver, 'tenant-a')).not.toThrow();
  });

  test('requireTenant denies another tenant with FORBIDDEN, naming neither tenant', () => {
    const err = thrown(() => requireTenant(approver, 'tenant-b'));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).not.toContain('tenant-a');
    expect(err.message).not.toContain('tenant-b');
  });
});
