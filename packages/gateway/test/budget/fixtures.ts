import type { Action, Channel, CurrencyCode, HandoffPlan, StrategyOption } from '@handoff/protocol';
import { type BudgetCap, type BudgetCapInput, parseBudgetCaps } from '../../src/budget/cap.js';

/** Test fixtures for the budget module: complete, schema-valid plans and validated caps. */

export const TENANT = 'acme-retail';
export const WORKFLOW = 'winback-q4';
/** 2026-11-21T14:00:00Z, a Saturday. */
export const NOW_MS = Date.parse('2026-11-21T14:00:00Z');

/** One action of a test option: which adapter runs it and what it is expected to cost (minor units). */
export interface ActionSpec {
  adapter: string;
  costMinor: number;
}

/** One option of a test plan. Its budget is the sum of its action costs unless `budgetMinor` says more. */
export interface OptionSpec {
  optionId: string;
  channels?: Channel[];
  currency?: CurrencyCode;
  actions: ActionSpec[];
  budgetMinor?: number;
}

function makeAction(spec: ActionSpec, index: number, currency: CurrencyCode): Action {
  return {
    type: 'call_webhook',
    actionId: `action-${index}`,
    adapter: spec.adapter,
    estimatedCost: { amountMinor: spec.costMinor, currency },
    params: {
      url: 'https://hooks.example.com/handoff',
      eventType: 'winback.started',
      data: { index },
    },
  };
}

function makeOption(spec: OptionSpec): StrategyOption {
  const currency = spec.currency ?? 'USD';
  const total = spec.actions.reduce((sum, a) => sum + a.costMinor, 0);
  return {
    optionId: spec.optionId,
    title: `Option ${spec.optionId}`,
    rationale: 'Lapsed customers respond to a timely, relevant offer.',
    channels: spec.channels ?? ['email'],
    audience: { segmentId: 'lapsed-90d', estimatedSize: 1200, criteria: [] },
    budget: { amount: { amountMinor: spec.budgetMinor ?? total, currency }, period: 'total' },
    forecast: {
      unit: 'count',
      kpi: 'leads',
      p10: 1,
      p50: 2,
      p90: 3,
      confidence: 0.5,
      horizonDays: 14,
    },
    risk: { score: 0.1, level: 'low', factors: [] },
    evidence: [],
    actions: spec.actions.map((a, i) => makeAction(a, i, currency)),
  };
}

/** A complete HandoffPlan for `TENANT` and `WORKFLOW` with the given options (the first is recommended). */
export function makePlan(
  options: OptionSpec[],
  overrides: { tenantId?: string; workflowId?: string } = {},
): HandoffPlan {
  const built = options.map(makeOption);
  return {
    protocolVersion: '1.0',
    kind: 'HandoffPlan',
    planId: '01a2e5b8-7200-73a1-b9f3-e2a1b4c5d6e7',
    tenantId: overrides.tenantId ?? TENANT,
    createdAt: '2026-11-21T12:00:00Z',
    expiresAt: '2026-11-28T12:00:00Z',
    copilot: {
      vendor: 'Example Copilot Co',
      model: 'example-planner',
      modelVersion: '2026-10-01',
      promptVersion: 'winback-v3',
    },
    workflow: {
      workflowId: overrides.workflowId ?? WORKFLOW,
      name: 'Q4 win-back',
      cvjStage: 'ascend',
      aiMode: 'ai_assisted',
      owner: 'crm@acme.example',
    },
    objective: { unit: 'count', kpi: 'leads', direction: 'at_least', target: 10 },
    inputs: [],
    options: built,
    recommendedOptionId: built[0]?.optionId ?? 'none',
  };
}

/** A cap input with sensible defaults: a USD monthly tenant cap of 100,000 minor units for `TENANT`. */
export function capInput(overrides: Partial<BudgetCapInput> = {}): BudgetCapInput {
  return {
    capId: 'cap-tenant',
    tenantId: TENANT,
    scope: { type: 'tenant', value: overrides.tenantId ?? TENANT },
    period: 'month',
    limit: { amountMinor: 100_000, currency: 'USD' },
    ...overrides,
  };
}

/** Validated caps, through `parseBudgetCaps` (so every fixture cap is a cap the gateway would accept). */
export function makeCaps(...inputs: BudgetCapInput[]): BudgetCap[] {
  return parseBudgetCaps(inputs);
}
