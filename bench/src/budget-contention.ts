import { benchGateway, COPILOT, readDatabase, removeDatabase } from './bench-gateway.js';
import { perSecond } from './stats.js';
import { AUTO_OPTION_COST_MINOR, benchPlan } from './workload.js';

/** One burst of concurrent submissions against one cap. */
export interface ContentionRun {
  submissions: number;
  capMinor: number;
  plansPerSec: number;
  accepted: number;
  refused: number;
  /** Reserved + committed on the cap after the burst, in minor units. */
  usedMinor: number;
  /** usedMinor - capMinor when positive (must be 0). */
  overspendMinor: number;
}

/** Both runs: against a cap that fits `fits` plans, and the baseline against a cap out of reach. */
export interface ContentionResult {
  contended: ContentionRun;
  baseline: ContentionRun;
}

async function burst(dir: string, name: string, submissions: number, capMinor: number) {
  const { path, runtime } = await benchGateway(dir, name, capMinor);
  const now = Date.now();
  const plans = Array.from({ length: submissions }, (_, i) =>
    benchPlan(i, now, { auto: true, run: 9 }),
  );
  const began = performance.now();
  const views = await Promise.all(plans.map((plan) => runtime.gateway.submitPlan(COPILOT, plan)));
  const ms = performance.now() - began;
  await runtime.close();
  const used = readDatabase(
    path,
    (db) =>
      db
        .prepare(
          "select coalesce(sum(amount_minor), 0) n from budget_ledger where status in ('reserved', 'committed')",
        )
        .get() as { n: number },
  );
  removeDatabase(path);
  const accepted = views.filter((v) => v.state === 'approved').length;
  return {
    submissions,
    capMinor,
    plansPerSec: perSecond(submissions, ms),
    accepted,
    refused: submissions - accepted,
    usedMinor: used.n,
    overspendMinor: Math.max(0, used.n - capMinor),
  };
}

/**
 * `submissions` (default 1,000) plans submitted at once (Promise.all, in process) against ONE tenant cap that
 * fits `fits` of them (EUR 185.25 each, approved by policy without a person, so each reserves on submission):
 * exactly `fits` are accepted and the cap is never overspent. The baseline is the same burst against a cap out of
 * reach (no refusal).
 */
export async function runBudgetContention(options: {
  submissions: number;
  fits: number;
  dir: string;
}): Promise<ContentionResult> {
  const contended = await burst(
    options.dir,
    'contended',
    options.submissions,
    options.fits * AUTO_OPTION_COST_MINOR,
  );
  const baseline = await burst(options.dir, 'uncontended', options.submissions, 9_000_000_000_000);
  return { contended, baseline };
}
