import type { PlanIssue } from '../validate/hints.js';

/** Options of {@link repairPrompt}. */
export interface RepairPromptOptions {
  /** Issues listed one by one; the rest are counted. Default 25. */
  maxIssues?: number;
  /** What the model should send back. Default: the complete corrected plan as one JSON object. */
  returnInstruction?: string;
}

/**
 * Writes the follow-up prompt that asks a model to fix its plan: one numbered line per issue with where (`path`,
 * or "the whole output"), what is wrong (`code` and `message`) and how to fix it (`hint`), then what to return.
 * A hint already given is not repeated (`Fix: as in 1.`). Deterministic and compact, so it can be appended to the
 * conversation as the next user turn.
 *
 * Example line: `1. /options/0/budget/amount/amountMinor: MONEY_NOT_INTEGER. Money amounts are integers in minor
 * units (cents), never floats. Fix: Express money as an integer number of minor units (cents): ...`
 *
 * @param issues - from `validatePlan` or `parsePlanFromModelOutput` (an empty list gives a prompt that says so).
 */
export function repairPrompt(
  issues: readonly PlanIssue[],
  options: RepairPromptOptions = {},
): string {
  const max = Math.max(1, Math.floor(options.maxIssues ?? 25));
  const shown = issues.slice(0, max);
  const noun = issues.length === 1 ? 'issue' : 'issues';
  const lines = [
    issues.length === 0
      ? 'Your HandoffPlan was accepted; no change is needed.'
      : `Your HandoffPlan was rejected with ${issues.length} ${noun}. Fix each one and change nothing else.`,
  ];
  const firstWithHint = new Map<string, number>();
  shown.forEach((item, index) => {
    const where = item.path === '' ? 'the whole output' : item.path;
    const message = item.message.trim().replace(/\.?$/, '.');
    const earlier = firstWithHint.get(item.hint);
    const fix = earlier === undefined ? item.hint : `as in ${earlier}.`;
    if (earlier === undefined) firstWithHint.set(item.hint, index + 1);
    lines.push(`${index + 1}. ${where}: ${item.code}. ${message} Fix: ${fix}`);
  });
  if (issues.length > shown.length) {
    const rest = issues.length - shown.length;
    lines.push(
      `(${rest} more ${rest === 1 ? 'issue' : 'issues'} not listed: fix the ones above first.)`,
    );
  }
  if (issues.length > 0) {
    lines.push(
      options.returnInstruction ??
        'Return the complete corrected plan as one JSON object, with no text before or after it.',
    );
  }
  return lines.join('\n');
}
