/**
 * The shadow step of the bank-campaign story: the auditor, with its own API key, replays the demo's recorded plans
 * against a stricter candidate policy (`stricter-policy.yaml`) through `policy.shadow`, prints which decisions would
 * change rule by rule, and checks that the report names them and that the replay wrote nothing to the lineage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLineage } from '../shared/audit-step.js';
import type { Expectations } from '../shared/expectations.js';
import type { StoryGateway } from '../shared/story-gateway.js';
import { detail, paint } from '../shared/terminal.js';

type ShadowReport = Awaited<
  ReturnType<StoryGateway['api']['auditor']['policy']['shadow']['mutate']>
>;

/** The stricter candidate policy file, beside this story. */
export const STRICTER_POLICY_FILE = join(import.meta.dirname, 'stricter-policy.yaml');

/** Replays the recorded plans against the stricter candidate, printing the report and checking it. */
export async function shadowStricterPolicy(input: {
  gw: StoryGateway;
  checks: Expectations;
  plansRecorded: number;
}): Promise<ShadowReport> {
  const { gw, checks } = input;
  const auditor = gw.api.auditor;
  const before = (await readLineage(auditor)).length;
  const report = await auditor.policy.shadow.mutate({
    policy: readFileSync(STRICTER_POLICY_FILE, 'utf8'),
  });
  const after = (await readLineage(auditor)).length;
  detail(
    `candidate ${report.policySetId}: ${report.plansReplayed} plans, ${report.optionsReplayed} options replayed`,
  );
  for (const rule of report.rules) {
    const example = rule.examples[0];
    detail(
      `${paint(['bold', 'cyan'], `rule ${rule.ruleId}`)}: ${rule.changed} decision(s) change ` +
        `${JSON.stringify(rule.transitions)}` +
        (example
          ? `, e.g. ${example.planId}/${example.optionId} ${example.recorded.decision} -> ` +
            `${example.candidate.decision} ${example.candidate.reasonCode ?? ''}`
          : ''),
      4,
    );
  }
  detail(
    `outcomes: ${report.outcomes.changed} change ${JSON.stringify(report.outcomes.transitions)}`,
  );
  checks.check(
    report.plansReplayed === input.plansRecorded,
    "the shadow replay covers every one of the demo's recorded plans",
    `${report.plansReplayed} of ${input.plansRecorded}`,
  );
  checks.check(
    report.rules.length > 0 &&
      report.rules.every(
        (rule) =>
          rule.changed > 0 && Object.keys(rule.transitions).length > 0 && rule.examples.length > 0,
      ),
    'the shadow report names, rule by rule, the decisions the stricter policy would change',
    JSON.stringify(report.rules.map((rule) => [rule.ruleId, rule.transitions])),
  );
  checks.check(
    after === before,
    'the shadow replay wrote nothing to the lineage',
    `${before} -> ${after}`,
  );
  return report;
}
