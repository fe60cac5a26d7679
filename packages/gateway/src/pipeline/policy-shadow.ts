import type { PolicyDecision, PolicyOutcome, PolicyShadowReport } from '@handoff/protocol';
import { toIso } from '../clock.js';
import { evaluatePolicy, type PolicyEvaluation } from '../policy/evaluate.js';
import type { SuppressionLookup } from '../policy/policy-facts.js';
import { type PolicySet, policyVersion } from '../policy/policy-set.js';
import type { GatewayStore, PlanRecord, StoreTx } from '../store/store.js';
import { loadPlanDocument } from './deps.js';
import { readPolicyFacts } from './read-policy-facts.js';
import { evaluationOf } from './recorded-evaluation.js';

/** Plans read from the store per page while replaying. */
const PAGE = 200;
/** Examples kept per rule and for outcomes. */
const EXAMPLES = 5;

/** What {@link replayPolicy} replays: whose plans, against what, over which period (epoch ms). */
export interface ShadowReplayInput {
  tenantId: string;
  candidate: PolicySet;
  /** Plans received at or after this time; absent: from the first. */
  fromMs?: number;
  /** Plans received before this time; absent: up to now. */
  toMs?: number;
  /** The most plans replayed, newest first (default 1,000). */
  limit?: number;
  /** The suppression lists as they are now (suppression rules read them). */
  suppression?: SuppressionLookup;
}

type Decision = PolicyShadowReport['rules'][number]['examples'][number]['recorded'];

function decisionOf(d: PolicyDecision | undefined): Decision {
  if (d === undefined) return { decision: 'absent' };
  return { decision: d.decision, reasonCode: d.reasonCode, path: d.path };
}

/** What a decision does: a rule a set lacks allows, so only a decision that blocks or gates differently counts. */
function effect(d: Decision): string {
  return d.decision === 'absent' ? 'allow' : d.decision;
}

/** Counts and examples of changed decisions, built up plan by plan. */
class ShadowTally {
  readonly rules = new Map<string, PolicyShadowReport['rules'][number]>();
  readonly outcomes: PolicyShadowReport['outcomes'] = { changed: 0, transitions: {}, examples: [] };

  compare(planId: string, recorded: PolicyEvaluation, candidate: PolicyEvaluation): number {
    let options = 0;
    for (const [optionId, next] of Object.entries(candidate.options)) {
      const before = Object.hasOwn(recorded.options, optionId)
        ? recorded.options[optionId]
        : undefined;
      if (before === undefined) continue;
      options += 1;
      const ruleIds = new Set([...before.decisions, ...next.decisions].map((d) => d.ruleId));
      for (const ruleId of ruleIds) {
        const was = decisionOf(before.decisions.find((d) => d.ruleId === ruleId));
        const now = decisionOf(next.decisions.find((d) => d.ruleId === ruleId));
        if (effect(was) === effect(now)) continue;
        const entry = this.rules.get(ruleId) ?? {
          ruleId,
          changed: 0,
          transitions: {},
          examples: [],
        };
        entry.changed += 1;
        const key = `${was.decision}->${now.decision}`;
        entry.transitions[key] = (entry.transitions[key] ?? 0) + 1;
        if (entry.examples.length < EXAMPLES) {
          entry.examples.push({ planId, optionId, recorded: was, candidate: now });
        }
        this.rules.set(ruleId, entry);
      }
      this.#outcome(planId, optionId, before.outcome, next.outcome);
    }
    return options;
  }

  #outcome(planId: string, optionId: string, was: PolicyOutcome, now: PolicyOutcome): void {
    if (was === now) return;
    const { outcomes } = this;
    outcomes.changed += 1;
    const key = `${was}->${now}`;
    outcomes.transitions[key] = (outcomes.transitions[key] ?? 0) + 1;
    if (outcomes.examples.length < EXAMPLES) {
      outcomes.examples.push({ planId, optionId, recorded: was, candidate: now });
    }
  }
}

async function replayOne(
  tx: StoreTx,
  record: PlanRecord,
  input: ShadowReplayInput,
  version: string,
): Promise<{ recorded: PolicyEvaluation; candidate: PolicyEvaluation }> {
  const plan = await loadPlanDocument(tx, record);
  const recorded = await evaluationOf(tx, record);
  // The facts as the plan met them: sends before it was received; caps and lists as they are now.
  const facts = await readPolicyFacts(tx, {
    plan,
    sets: [input.candidate],
    atMs: record.receivedAt,
    untilMs: record.receivedAt,
    ...(input.suppression ? { suppression: input.suppression } : {}),
  });
  const candidate = evaluatePolicy({
    plan,
    planDigest: record.digest,
    policySet: input.candidate,
    policyVersion: version,
    evaluatedAt: toIso(record.receivedAt),
    facts,
  });
  return { recorded, candidate };
}

/**
 * Replays the tenant's recorded plans received in `[fromMs, toMs)` (newest first, at most `limit`) against a
 * candidate policy set, and reports every decision it would change: per rule (by rule id; a rule only one set has
 * is `absent` in the other, which changes a decision only where the other set denies or asks for approval) the count per transition (`allow->deny`, ...) with up to 5 examples, and the options
 * whose combined outcome would change. Each plan is evaluated as of its reception (`evaluatedAt`, and only the
 * sends dispatched before it count for frequency caps); budget usage and suppression lists are read as they are
 * now. Reads only, in one transaction: nothing is written, no lineage event, no state change.
 */
export async function replayPolicy(
  store: GatewayStore,
  input: ShadowReplayInput,
): Promise<PolicyShadowReport> {
  const version = policyVersion(input.candidate);
  const limit = input.limit ?? 1000;
  const tally = new ShadowTally();
  let plans = 0;
  let options = 0;
  let truncated = false;
  await store.transaction(async (tx) => {
    let before: { receivedAt: number; planId: string } | undefined;
    for (;;) {
      const page = await tx.listPlans({
        tenantId: input.tenantId,
        limit: PAGE,
        ...(before ? { before } : {}),
      });
      for (const record of page) {
        if (input.toMs !== undefined && record.receivedAt >= input.toMs) continue;
        if (input.fromMs !== undefined && record.receivedAt < input.fromMs) return;
        if (plans === limit) {
          truncated = true;
          return;
        }
        const { recorded, candidate } = await replayOne(tx, record, input, version);
        plans += 1;
        options += tally.compare(record.planId, recorded, candidate);
      }
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) return;
      before = { receivedAt: last.receivedAt, planId: last.planId };
    }
  });
  return {
    policySetId: input.candidate.id,
    policyVersion: version,
    from: input.fromMs === undefined ? null : toIso(input.fromMs),
    to: input.toMs === undefined ? null : toIso(input.toMs),
    plansReplayed: plans,
    optionsReplayed: options,
    truncated,
    rules: [...tally.rules.values()].sort(
      (a, b) => b.changed - a.changed || (a.ruleId < b.ruleId ? -1 : 1),
    ),
    outcomes: tally.outcomes,
  };
}
