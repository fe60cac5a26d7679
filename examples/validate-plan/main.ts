/**
 * Validates a real plan file against the v1 contract and checks what the gateway will check first:
 * - the plan parses (shape and cross-field rules) and gets its RFC 8785 + SHA-256 digest;
 * - the dataset the plan cites (UCI Bank Marketing, examples/data/bank-marketing) has the sha256 the plan states;
 * - a tampered copy (an action costing more than the option's budget) is rejected with a code and a JSON path;
 * - a plan from an unknown protocol version is refused with the supported list.
 * Exits 0 only if every expectation held.
 *
 * Run: `pnpm demo` (from the repository root) or `pnpm --filter @handoff/examples examples`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type HandoffPlan,
  moneyToDecimalString,
  planDigest,
  safeParseDocumentJson,
  sha256Digest,
} from '@handoff/protocol';

const here = dirname(fileURLToPath(import.meta.url));
const planFile = join(here, 'term-deposit-plan.json');
const dataFile = join(here, '..', 'data', 'bank-marketing', 'bank.csv');

const failures: string[] = [];
function expect(ok: boolean, what: string): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

const text = readFileSync(planFile, 'utf8');
const parsed = safeParseDocumentJson('HandoffPlan', text);
expect(parsed.success, `the plan in ${planFile.slice(here.length + 1)} is a valid HandoffPlan v1`);
if (!parsed.success) {
  for (const issue of parsed.error.issues)
    console.log(`     ${issue.code} at ${issue.path}: ${issue.message}`);
  process.exit(1);
}
const plan: HandoffPlan = parsed.data;
console.log(`     digest ${planDigest(plan)}`);
for (const option of plan.options) {
  const budget = option.budget.amount;
  console.log(
    `     option ${option.optionId}: ${moneyToDecimalString(budget)} ${budget.currency} per ${option.budget.period}, ` +
      `risk ${option.risk.score}, ${option.actions.length} action(s)`,
  );
}

const input = plan.inputs.find((i) => i.inputId === 'bank-marketing');
const actual = sha256Digest(readFileSync(dataFile));
expect(
  input?.sha256 === actual,
  `the cited dataset matches its recorded sha256 (${actual.slice(0, 19)}…)`,
);

const tampered = structuredClone(plan);
const firstAction = tampered.options[0]?.actions[0];
if (firstAction) firstAction.estimatedCost.amountMinor += 1_000_000;
const rejected = safeParseDocumentJson('HandoffPlan', JSON.stringify(tampered));
const issue = rejected.success ? undefined : rejected.error.issues[0];
expect(
  issue?.code === 'ACTIONS_EXCEED_BUDGET' && issue.path === '/options/0/budget/amount/amountMinor',
  `an overspending copy is rejected: ${issue?.code} at ${issue?.path}`,
);
expect(planDigest(tampered) !== planDigest(plan), 'any change to the plan changes its digest');

const future = safeParseDocumentJson(
  'HandoffPlan',
  JSON.stringify({ ...plan, protocolVersion: '9.0' }),
);
expect(
  !future.success && future.error.code === 'UNSUPPORTED_VERSION',
  `an unknown protocol version is refused (${future.success ? '' : future.error.message})`,
);

if (failures.length > 0) {
  console.error(`\n${failures.length} expectation(s) failed`);
  process.exit(1);
}
console.log('\nevery expectation held');
