/**
 * The scripted agent of the mcp-handoff story, standing in for an LLM: it drafts a plan with the mistakes models
 * make most (money as a decimal of major units, a timestamp with an offset), and repairs a refused plan using
 * nothing but the refusal's structured content: each issue's JSON Pointer and code, as a model reads the hints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planId } from '@handoff/copilot-adapter';
import type { HandoffPlan } from '@handoff/protocol';

/** A refusal as `handoff_submit_plan` answers it (`structuredContent` of a result with `isError: true`). */
export interface Refusal {
  ok: false;
  error: { code: string; message: string };
  hints: { code: string; hint: string; issues: { path: string; code: string; hint: string }[] };
  repairPrompt: string;
}

/** A JSON value the agent edits in place. */
type Json = { [key: string]: Json } | Json[] | string | number | boolean | null;

/**
 * The agent's first draft: the term-deposit plan of `validate-plan`, option 1 only (EUR 645.00 of calls), for now,
 * written as a careless model writes it: the budget as `645.5` (major units with a decimal point) and `createdAt`
 * with a `+01:00` offset.
 */
export function draftPlan(nowMs: number): unknown {
  const file = join(import.meta.dirname, '..', 'validate-plan', 'term-deposit-plan.json');
  const plan = JSON.parse(readFileSync(file, 'utf8')) as HandoffPlan;
  const [first] = plan.options;
  if (!first) throw new Error('the validate-plan example has no option');
  const offset = new Date(nowMs + 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+01:00');
  return {
    ...plan,
    planId: planId(),
    createdAt: offset,
    expiresAt: new Date(nowMs + 7 * 86_400_000).toISOString(),
    options: [
      { ...first, budget: { ...first.budget, amount: { amountMinor: 645.5, currency: 'EUR' } } },
    ],
    recommendedOptionId: first.optionId,
  };
}

/** The value at a JSON Pointer (RFC 6901) and a setter for it; `undefined` when the path is not in `doc`. */
function at(doc: Json, pointer: string): { value: Json; set(v: Json): void } | undefined {
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = keys.pop();
  let parent: Json = doc;
  for (const key of keys) {
    if (typeof parent !== 'object' || parent === null) return undefined;
    parent = (parent as Record<string, Json>)[key] as Json;
  }
  if (last === undefined || typeof parent !== 'object' || parent === null) return undefined;
  const holder = parent as Record<string, Json>;
  return {
    value: holder[last] as Json,
    set: (v) => {
      holder[last] = v;
    },
  };
}

/**
 * Repairs `plan` from a refusal, issue by issue, as the hints instruct: money in minor units (`MONEY_NOT_INTEGER`:
 * the hint says 19.99 is 1999, so major units times 100), timestamps in RFC 3339 UTC (`INVALID_FORMAT` on a `...At`
 * field), and a new `planId` for the changed plan. Returns the repaired plan and the issues it fixed; an issue it
 * has no repair for is left, and reported.
 */
export function repairFromRefusal(
  plan: unknown,
  refusal: Refusal,
): { plan: unknown; fixed: string[]; unfixed: string[] } {
  const copy = structuredClone(plan) as Json;
  const fixed: string[] = [];
  const unfixed: string[] = [];
  for (const issue of refusal.hints.issues) {
    const target = at(copy, issue.path);
    if (issue.code === 'MONEY_NOT_INTEGER' && target && typeof target.value === 'number') {
      target.set(Math.round(target.value * 100));
      fixed.push(`${issue.path} ${issue.code}`);
    } else if (issue.code === 'INVALID_FORMAT' && /At$/.test(issue.path) && target) {
      target.set(new Date(String(target.value)).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      fixed.push(`${issue.path} ${issue.code}`);
    } else {
      unfixed.push(`${issue.path} ${issue.code}`);
    }
  }
  if (copy && typeof copy === 'object' && !Array.isArray(copy)) copy.planId = planId();
  return { plan: copy, fixed, unfixed };
}
