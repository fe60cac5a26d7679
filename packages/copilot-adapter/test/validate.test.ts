import {
  ACTION_TYPES,
  PROTOCOL_ISSUE_CODES,
  planDigest as protocolPlanDigest,
} from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import {
  digestAndFreeze,
  hintFor,
  ISSUE_HINTS,
  type PlanIssue,
  planDigest,
  validatePlan,
} from '../src/index.js';
import {
  cardPlan,
  conformanceDigests,
  conformanceInvalid,
  conformancePlans,
} from './support/fixtures.js';

function issuesOf(input: unknown): PlanIssue[] {
  const result = validatePlan(input);
  return result.ok ? [] : result.issues;
}

describe('validatePlan', () => {
  test.each(conformancePlans())('accepts the valid conformance plan %s', (_name, plan) => {
    const result = validatePlan(plan);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.plan).toEqual(plan);
  });

  test.each(conformanceInvalid())(
    'refuses %s with the expected issues, each with a hint',
    (_name, fixture) => {
      const issues = issuesOf(fixture.document);
      expect(issues.map(({ code, path }) => ({ code, path }))).toEqual(fixture.expected);
      for (const issue of issues) {
        expect(issue.hint.length).toBeGreaterThan(10);
        expect(issue.message.length).toBeGreaterThan(0);
      }
    },
  );

  test('tells a model how to write money', () => {
    const plan = cardPlan();
    const option = plan.options[0];
    if (!option) throw new Error('fixture');
    option.budget.amount.amountMinor = 19.99;
    const [issue] = issuesOf(plan);
    expect(issue).toMatchObject({
      path: '/options/0/budget/amount/amountMinor',
      code: 'MONEY_NOT_INTEGER',
    });
    expect(issue?.hint).toContain(
      'Express money as an integer number of minor units (cents): 19.99 USD is {"amountMinor":1999,"currency":"USD"}',
    );
  });

  test('specialises hints by path', () => {
    const hint = (path: string, code: PlanIssue['code'], message = 'x') =>
      hintFor({ path, code, message });
    expect(hint('/createdAt', 'INVALID_FORMAT')).toMatch(/RFC 3339 .* "Z"/);
    expect(hint('/options/0/evidence/1/accessedAt', 'INVALID_FORMAT')).toMatch(/RFC 3339/);
    expect(hint('/planId', 'INVALID_FORMAT')).toMatch(/UUID version 7/);
    expect(hint('/copilot', 'MISSING_ONE_OF')).toMatch(/promptVersion.*promptHash/);
    expect(hint('/inputs/0', 'MISSING_ONE_OF')).toMatch(/"version".*"sha256"/);
    expect(hint('/options/0/actions/0/params/contacts/0', 'MISSING_ONE_OF')).toMatch(
      /email.*externalId/,
    );
    expect(hint('/options/0/actions/2/params', 'MISSING_ONE_OF')).toMatch(/recipients.*segmentId/);
    expect(hint('/options/0/actions/0/type', 'INVALID_DISCRIMINATOR')).toMatch(
      /set_campaign_budget/,
    );
    for (const type of ACTION_TYPES) {
      expect(hint('/options/0/actions/0/type', 'INVALID_DISCRIMINATOR')).toContain(type);
    }
    expect(hint('/options/0/actions/0/params/url', 'INVALID_FORMAT')).toMatch(/https:\/\//);
    expect(hint('/options/0/forecast/p50', 'MONEY_NOT_INTEGER')).toMatch(/money forecast/);
    expect(hint('/options/0/optionId', 'INVALID_FORMAT')).toMatch(/Identifiers are 1-128/);
    expect(hint('/copilot/promptHash', 'INVALID_TYPE', 'expected string, received null')).toMatch(
      /Omit this field instead of writing null/,
    );
    // Falls back to the code's default.
    expect(hint('/options/0/title', 'TOO_BIG')).toBe(ISSUE_HINTS.TOO_BIG);
  });

  test('has a hint for every protocol issue code and every adapter code', () => {
    const codes = [...PROTOCOL_ISSUE_CODES, 'NO_JSON_OBJECT', 'TRUNCATED_JSON'].sort();
    expect(Object.keys(ISSUE_HINTS).sort()).toEqual(codes);
    for (const hint of Object.values(ISSUE_HINTS)) expect(hint.length).toBeGreaterThan(10);
  });

  test('reports a null for an optional field as "omit it"', () => {
    const plan = { ...cardPlan(), copilot: { ...cardPlan().copilot, promptHash: null } };
    const [issue] = issuesOf(plan);
    expect(issue).toMatchObject({ path: '/copilot/promptHash', code: 'INVALID_TYPE' });
    expect(issue?.hint).toMatch(/Omit this field/);
  });

  test('never throws, whatever the input', () => {
    for (const input of [undefined, null, 42, 'plan', [], { kind: 'HandoffPlan' }, () => 1]) {
      const result = validatePlan(input);
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.issues.length).toBeGreaterThan(0);
    }
  });
});

describe('digestAndFreeze', () => {
  test('returns the planDigest test vectors of the conformance corpus', () => {
    const digests = conformanceDigests();
    for (const [name, plan] of conformancePlans()) {
      expect(digestAndFreeze(plan)).toBe(digests[name]);
    }
    expect(planDigest).toBe(protocolPlanDigest);
  });

  test('freezes the whole plan, so it cannot drift from its digest', () => {
    const plan = cardPlan();
    const digest = digestAndFreeze(plan);
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.options)).toBe(true);
    expect(Object.isFrozen(plan.options[0]?.budget.amount)).toBe(true);
    expect(Object.isFrozen(plan.options[0]?.actions[1]?.params)).toBe(true);
    const amount = plan.options[0]?.budget.amount;
    expect(() => {
      if (amount) amount.amountMinor = 1;
    }).toThrow(TypeError);
    expect(() => plan.options.push(plan.options[0] as never)).toThrow(TypeError);
    expect(planDigest(plan)).toBe(digest);
    // Idempotent on a frozen plan.
    expect(digestAndFreeze(plan)).toBe(digest);
  });
});
