import type { GateProgress } from '@handoff/protocol';
import { describe, expect, it } from 'vitest';
import { gateRolesAt } from '../src/lib/gates.js';

const gate = (deadline?: GateProgress['deadline']): GateProgress => ({
  gateId: 'spend-risk-approval',
  roles: ['finance', 'marketing_lead'],
  quorum: 2,
  distinctRoles: true,
  approvers: [],
  satisfied: false,
  ...(deadline ? { deadline } : {}),
});
const AT = '2026-11-21T10:00:00Z';
const before = Date.parse(AT) - 1;
const after = Date.parse(AT);

describe('who may approve under a gate now', () => {
  it('adds the backup roles once an escalate deadline has passed, not before', () => {
    const escalating = gate({
      at: AT,
      action: 'escalate',
      backupRoles: ['risk_officer'],
      escalated: false,
    });
    expect(gateRolesAt(escalating, before)).toEqual(['finance', 'marketing_lead']);
    expect(gateRolesAt(escalating, after)).toEqual(['finance', 'marketing_lead', 'risk_officer']);
  });

  it('keeps the roles of a gate without a deadline or whose deadline rejects', () => {
    expect(gateRolesAt(gate(), after)).toEqual(['finance', 'marketing_lead']);
    expect(gateRolesAt(gate({ at: AT, action: 'reject', escalated: false }), after)).toEqual([
      'finance',
      'marketing_lead',
    ]);
  });
});
