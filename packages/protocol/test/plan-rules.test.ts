import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  type ApprovalClaims,
  type HandoffPlan,
  planDigest,
  safeParseDocument,
} from '../src/index.js';

const base: HandoffPlan = JSON.parse(
  readFileSync(
    new URL('../conformance/v1/HandoffPlan/valid/term-deposit-two-options.json', import.meta.url),
    'utf8',
  ),
);

/**
 * `CODE path` of every issue of the fixture after setting each JSON Pointer (no escapes needed here) of `edits`
 * to its value in a deep clone, or [] when the edited plan is valid.
 */
function planIssues(edits: Record<string, unknown>): string[] {
  const plan: Record<string, unknown> = structuredClone(base);
  for (const [pointer, value] of Object.entries(edits)) {
    const keys = pointer.split('/').slice(1);
    const last = keys.pop() as string;
    let node = plan;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    node[last] = value;
  }
  return issues('HandoffPlan', plan);
}

function issues(kind: 'HandoffPlan' | 'ApprovalClaims', doc: unknown): string[] {
  const result = safeParseDocument(kind, doc);
  return result.success ? [] : result.error.issues.map((i) => `${i.code} ${i.path}`);
}

const action = (actionId: string, amountMinor: number, currency = 'EUR') => ({
  type: 'trigger_broadcast',
  actionId,
  adapter: 'customerio',
  estimatedCost: { amountMinor, currency },
  params: { broadcastId: '43' },
});

test('the fixture itself breaks no rule', () => {
  expect(issues('HandoffPlan', base)).toEqual([]);
  expect(planIssues({})).toEqual([]);
});

describe('EXPIRY_NOT_AFTER_CREATION (plan)', () => {
  test.each([
    ['equal to createdAt', '2026-11-21T09:00:00Z'],
    ['equal, spelled with fractional seconds', '2026-11-21T09:00:00.000Z'],
    ['one millisecond before createdAt', '2026-11-21T08:59:59.999Z'],
    ['a year before', '2025-11-21T09:00:00Z'],
  ])('expiresAt %s', (_label, expiresAt) => {
    expect(planIssues({ '/expiresAt': expiresAt })).toEqual([
      'EXPIRY_NOT_AFTER_CREATION /expiresAt',
    ]);
  });

  test('boundary: expiresAt one millisecond after createdAt passes', () => {
    expect(planIssues({ '/expiresAt': '2026-11-21T09:00:00.001Z' })).toEqual([]);
  });
});

describe('DUPLICATE_INPUT_ID', () => {
  const input = base.inputs[0];

  test('a second input with the same id', () => {
    const other = { ...input, uri: 'https://example.com/other' };
    expect(planIssues({ '/inputs/1': other })).toEqual(['DUPLICATE_INPUT_ID /inputs/1/inputId']);
  });

  test('boundary: two inputs with distinct ids pass', () => {
    expect(planIssues({ '/inputs/1': { ...input, inputId: 'bank-marketing-2' } })).toEqual([]);
  });
});

describe('DUPLICATE_OPTION_ID and RECOMMENDED_OPTION_NOT_FOUND', () => {
  test('the second option reuses the first id', () => {
    expect(planIssues({ '/options/1/optionId': 'call-prior-successes' })).toEqual([
      'DUPLICATE_OPTION_ID /options/1/optionId',
    ]);
  });

  test('the recommended option does not exist (ids are case-sensitive)', () => {
    expect(planIssues({ '/recommendedOptionId': 'Call-Prior-Successes' })).toEqual([
      'RECOMMENDED_OPTION_NOT_FOUND /recommendedOptionId',
    ]);
  });

  test('boundary: recommending the other, existing option passes', () => {
    expect(planIssues({ '/recommendedOptionId': 'nurture-broadcast' })).toEqual([]);
  });
});

describe('DUPLICATE_ACTION_ID', () => {
  test('within one option', () => {
    const actions = [action('a', 100), action('b', 100), action('a', 100)];
    expect(planIssues({ '/options/1/actions': actions })).toEqual([
      'DUPLICATE_ACTION_ID /options/1/actions/2/actionId',
    ]);
  });

  test('boundary: the same action id in two different options passes', () => {
    expect(planIssues({ '/options/1/actions/0/actionId': 'enroll-call-list' })).toEqual([]);
  });
});

describe('ACTIONS_EXCEED_BUDGET', () => {
  const budget = 18_525;
  const max = Number.MAX_SAFE_INTEGER;
  const exceeded = 'ACTIONS_EXCEED_BUDGET /options/1/budget/amount/amountMinor';

  test('one minor unit above the budget, summed over actions', () => {
    const actions = [action('a', 10_000), action('b', budget - 10_000 + 1)];
    expect(planIssues({ '/options/1/actions': actions })).toEqual([exceeded]);
  });

  test('boundary: action costs exactly equal to the budget pass', () => {
    const actions = [action('a', 10_000), action('b', budget - 10_000), action('c', 0)];
    expect(planIssues({ '/options/1/actions': actions })).toEqual([]);
  });

  test('is exact past 2^53: the sum of safe costs is not rounded', () => {
    const budgetAt = '/options/1/budget/amount/amountMinor';
    const within = [action('a', max - 1), action('b', 1)];
    expect(planIssues({ [budgetAt]: max, '/options/1/actions': within })).toEqual([]);
    const above = [action('a', max), action('b', 1)];
    expect(planIssues({ [budgetAt]: max, '/options/1/actions': above })).toEqual([exceeded]);
  });
});

describe('CURRENCY_MISMATCH', () => {
  test('an action cost in another currency (the budget sum is then not compared)', () => {
    const cost = { amountMinor: 9e9, currency: 'USD' };
    expect(planIssues({ '/options/0/actions/0/estimatedCost': cost })).toEqual([
      'CURRENCY_MISMATCH /options/0/actions/0/estimatedCost/currency',
    ]);
  });

  test('a money forecast in another currency', () => {
    const forecast = (currency: string) => ({
      ...base.options[1]?.forecast,
      unit: 'money',
      kpi: 'revenue',
      currency,
    });
    expect(planIssues({ '/options/1/forecast': forecast('GBP') })).toEqual([
      'CURRENCY_MISMATCH /options/1/forecast/currency',
    ]);
    expect(planIssues({ '/options/1/forecast': forecast('EUR') })).toEqual([]);
  });

  test('both budgets of a set_campaign_budget action', () => {
    const setBudget = (current: string, next: string) => ({
      type: 'set_campaign_budget',
      actionId: 'raise-budget',
      adapter: 'google-ads',
      estimatedCost: { amountMinor: 0, currency: 'EUR' },
      params: {
        campaignId: 'c-1',
        budgetType: 'daily',
        currentBudget: { amountMinor: 1000, currency: current },
        newBudget: { amountMinor: 1200, currency: next },
      },
    });
    expect(planIssues({ '/options/1/actions/1': setBudget('USD', 'JPY') })).toEqual([
      'CURRENCY_MISMATCH /options/1/actions/1/params/currentBudget/currency',
      'CURRENCY_MISMATCH /options/1/actions/1/params/newBudget/currency',
    ]);
    expect(planIssues({ '/options/1/actions/1': setBudget('EUR', 'EUR') })).toEqual([]);
  });
});

describe('FORECAST_NOT_MONOTONIC', () => {
  const forecast = (p10: number, p50: number, p90: number) =>
    planIssues({
      '/options/0/forecast/p10': p10,
      '/options/0/forecast/p50': p50,
      '/options/0/forecast/p90': p90,
    });

  test('p50 below p10', () => {
    expect(forecast(0.6, 0.59, 0.7)).toEqual(['FORECAST_NOT_MONOTONIC /options/0/forecast/p50']);
  });

  test('p90 below p50', () => {
    expect(forecast(0.5, 0.6, 0.5999)).toEqual(['FORECAST_NOT_MONOTONIC /options/0/forecast/p90']);
  });

  test('reversed: both reported', () => {
    expect(forecast(0.9, 0.5, 0.1)).toEqual([
      'FORECAST_NOT_MONOTONIC /options/0/forecast/p50',
      'FORECAST_NOT_MONOTONIC /options/0/forecast/p90',
    ]);
  });

  test('boundary: p10 == p50 == p90 passes', () => {
    expect(forecast(0.64, 0.64, 0.64)).toEqual([]);
    expect(forecast(0, 0, 0)).toEqual([]);
  });
});

describe('UNKNOWN_INPUT_REFERENCE', () => {
  const unknown = 'UNKNOWN_INPUT_REFERENCE /options/0/evidence/0/inputId';

  test('dataset evidence naming no plan input', () => {
    expect(planIssues({ '/options/0/evidence/0/inputId': 'bank-marketing-v2' })).toEqual([unknown]);
  });

  test('removing the input the evidence relies on', () => {
    expect(planIssues({ '/inputs': [] })).toEqual([unknown]);
  });
});

describe('cross-field rules run only when every field is valid', () => {
  const over = [action('a', 10_000), action('b', 10_000)];
  const rules: [label: string, edits: Record<string, unknown>, issue: string][] = [
    [
      'RECOMMENDED_OPTION_NOT_FOUND',
      { '/recommendedOptionId': 'nope' },
      'RECOMMENDED_OPTION_NOT_FOUND /recommendedOptionId',
    ],
    [
      'EXPIRY_NOT_AFTER_CREATION',
      { '/expiresAt': '2025-11-21T09:00:00Z' },
      'EXPIRY_NOT_AFTER_CREATION /expiresAt',
    ],
    [
      'DUPLICATE_OPTION_ID',
      { '/options/1/optionId': 'call-prior-successes' },
      'DUPLICATE_OPTION_ID /options/1/optionId',
    ],
    [
      'DUPLICATE_INPUT_ID',
      { '/inputs/1': { ...base.inputs[0], uri: 'https://example.com/other' } },
      'DUPLICATE_INPUT_ID /inputs/1/inputId',
    ],
    [
      'DUPLICATE_ACTION_ID',
      { '/options/1/actions': [action('a', 1), action('a', 1)] },
      'DUPLICATE_ACTION_ID /options/1/actions/1/actionId',
    ],
    [
      'ACTIONS_EXCEED_BUDGET',
      { '/options/1/actions': over },
      'ACTIONS_EXCEED_BUDGET /options/1/budget/amount/amountMinor',
    ],
    [
      'CURRENCY_MISMATCH',
      { '/options/0/actions/0/estimatedCost': { amountMinor: 1, currency: 'USD' } },
      'CURRENCY_MISMATCH /options/0/actions/0/estimatedCost/currency',
    ],
    [
      'FORECAST_NOT_MONOTONIC',
      { '/options/0/forecast/p50': 0.5 },
      'FORECAST_NOT_MONOTONIC /options/0/forecast/p50',
    ],
    [
      'UNKNOWN_INPUT_REFERENCE',
      { '/options/0/evidence/0/inputId': 'bank-marketing-v2' },
      'UNKNOWN_INPUT_REFERENCE /options/0/evidence/0/inputId',
    ],
  ];
  const defects: [label: string, edits: Record<string, unknown>, issue: string][] = [
    ['a bad top-level format', { '/tenantId': '' }, 'INVALID_FORMAT /tenantId'],
    ['an unrecognized key', { '/extra': 1 }, 'UNRECOGNIZED_KEY /extra'],
    ['a missing member', { '/copilot/model': undefined }, 'REQUIRED /copilot/model'],
    [
      'a deep defect in the other option',
      { '/options/1/audience/estimatedSize': -1 },
      'TOO_SMALL /options/1/audience/estimatedSize',
    ],
  ];

  test.each(rules)('%s fires when the plan is otherwise valid', (_label, edits, issue) => {
    expect(planIssues(edits)).toEqual([issue]);
  });

  for (const [defectLabel, defect, defectIssue] of defects) {
    test.each(rules)(`%s is not reported next to ${defectLabel}`, (_label, edits) => {
      expect(planIssues({ ...edits, ...defect })).toEqual([defectIssue]);
    });
  }

  test('every rule broken at once, with one field defect: only the field defect', () => {
    const all = Object.assign(
      {},
      ...rules.filter(([l]) => l !== 'DUPLICATE_ACTION_ID').map(([, e]) => e),
    );
    expect(planIssues(all).length).toBeGreaterThan(5);
    expect(planIssues({ ...all, '/tenantId': '' })).toEqual(['INVALID_FORMAT /tenantId']);
  });

  test('fixing the field defect brings the cross-field issue back', () => {
    const broken = { '/recommendedOptionId': 'nope', '/planId': 'x' };
    expect(planIssues(broken)).toEqual(['INVALID_FORMAT /planId']);
    expect(planIssues({ ...broken, '/planId': base.planId })).toEqual([
      'RECOMMENDED_OPTION_NOT_FOUND /recommendedOptionId',
    ]);
  });
});

describe('ApprovalClaims: EXPIRY_NOT_AFTER_CREATION', () => {
  const claims: ApprovalClaims = {
    protocolVersion: '1.0',
    kind: 'ApprovalClaims',
    iss: 'approver-console',
    sub: 'user:alice',
    aud: 'handoff-gateway',
    iat: 1_795_000_000,
    nbf: 1_795_000_000,
    exp: 1_795_000_600,
    jti: 'k3J9xQ2mZ7pL0aBc',
    planId: base.planId,
    planDigest: planDigest(base),
    optionId: 'call-prior-successes',
    policyVersion: 'policy-2026-11',
    decision: 'approve',
    maxSpend: { amountMinor: 64_500, currency: 'EUR' },
    role: 'finance',
  };

  test('valid claims pass', () => {
    expect(issues('ApprovalClaims', claims)).toEqual([]);
  });

  test.each([
    ['exp == nbf', { nbf: 1_795_000_600 }],
    ['exp < nbf', { nbf: 1_795_000_601 }],
    ['exp == iat', { iat: 1_795_000_600, nbf: 0 }],
    ['exp < iat', { iat: 1_795_001_000, nbf: 0 }],
  ])('%s', (_label, change) => {
    expect(issues('ApprovalClaims', { ...claims, ...change })).toEqual([
      'EXPIRY_NOT_AFTER_CREATION /exp',
    ]);
  });

  test('boundary: exp one second after nbf and iat passes', () => {
    expect(issues('ApprovalClaims', { ...claims, exp: claims.nbf + 1 })).toEqual([]);
  });

  test.each([
    ['a bad jti', { jti: 'k3J9xQ2mZ7pL0aBc!' }, 'INVALID_FORMAT /jti'],
    ['an unrecognized key', { extra: true }, 'UNRECOGNIZED_KEY /extra'],
    ['a negative iat', { iat: -1 }, 'TOO_SMALL /iat'],
    ['a fractional exp', { exp: 1_795_000_000.5 }, 'NOT_INTEGER /exp'],
  ])('with %s, only the field defect is reported, not the exp rule', (_label, change, issue) => {
    const expired = { ...claims, exp: claims.nbf };
    expect(issues('ApprovalClaims', expired)).toEqual(['EXPIRY_NOT_AFTER_CREATION /exp']);
    expect(issues('ApprovalClaims', { ...expired, ...change })).toEqual([issue]);
  });
});
