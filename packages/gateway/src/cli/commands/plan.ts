import { readFileSync } from 'node:fs';
import {
  PLAN_STATES,
  type PlanState,
  planDigest,
  safeParseDocumentJson,
  type WireOutput,
} from '@handoff/protocol';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfigFile } from '../../config/load-config.js';
import { GatewayError } from '../../errors.js';
import { evaluatePolicy } from '../../policy/evaluate.js';
import { policyVersion } from '../../policy/policy-set.js';
import { gatewayClient } from '../client.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { positiveInt } from '../options.js';
import { printResult } from '../output.js';
import { callGateway, type RemoteOptions, remoteCommand } from '../remote.js';
import { run } from '../run-command.js';

function readPlan(file: string) {
  const parsed = safeParseDocumentJson('HandoffPlan', readFileSync(file));
  if (parsed.success) return parsed.data;
  const { error } = parsed;
  throw new GatewayError(
    error.code === 'UNSUPPORTED_VERSION' ? 'UNSUPPORTED_VERSION' : 'VALIDATION_FAILED',
    error.message,
    {
      issues: error.issues,
    },
  );
}

/** A plan file's JSON, unchecked (the gateway validates it). @throws GatewayError `VALIDATION_FAILED` (exit 1). */
function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GatewayError('VALIDATION_FAILED', `${file} is not valid JSON`, {
      issues: [{ path: '', code: 'INVALID_JSON', message: (error as Error).message }],
    });
  }
}

/** Commander parser of `--state a,b`: plan states; anything else is a usage error (exit 2). */
function planStates(value: string): PlanState[] {
  const states = value.split(',').map((s) => s.trim());
  const unknown = states.filter((s) => !(PLAN_STATES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `Unknown state ${unknown.join(', ')}; use ${PLAN_STATES.join(', ')}`,
    );
  }
  return states as PlanState[];
}

/** One line per plan (state, reason, workflow, option in play, approval deadline), then the next page's cursor. */
function planLines(page: WireOutput<'plans.list'>): string {
  const lines = page.items.map((p) => {
    const reason = p.reasonCode ? ` (${p.reasonCode})` : '';
    const option = p.selectedOptionId ?? p.recommendedOptionId;
    const waiting = p.state === 'awaiting_approval' ? `, decide by ${p.approvalDeadline}` : '';
    return `${p.planId} ${p.state}${reason} ${p.workflowId} option ${option}${waiting}`;
  });
  if (lines.length === 0) lines.push('no plans');
  if (page.nextCursor) lines.push(`more: --cursor ${page.nextCursor}`);
  return lines.join('\n');
}

/**
 * A plan as `plan get` prints it: state and reason, then every option with its actions and their parameters (JSON),
 * then each decision so far with its reason.
 */
function planText(view: WireOutput<'plans.get'>): string {
  const reason = view.reasonCode ? ` (${view.reasonCode})` : '';
  const lines = [`plan ${view.planId}: ${view.state}${reason}, deadline ${view.approvalDeadline}`];
  for (const option of view.document?.options ?? []) {
    const mark = option.optionId === view.recommendedOptionId ? ' (recommended)' : '';
    lines.push(`  option ${option.optionId}${mark}: ${option.title}`);
    for (const a of option.actions) {
      lines.push(`    ${a.actionId} ${a.type} on ${a.adapter}: ${JSON.stringify(a.params)}`);
    }
  }
  for (const a of view.approvals) {
    const why = a.reason ? `: ${a.reason}` : '';
    lines.push(`  ${a.decision} by ${a.approver} (${a.role}) for ${a.optionId}${why}`);
  }
  return lines.join('\n');
}

/**
 * `handoff plan validate <file>` checks a plan against the v1 contract (exit 0 valid, 1 invalid);
 * `handoff plan dry-run <file> --config <file>` evaluates it against the configured policy set with no side effect
 * (exit 1 when the recommended option is denied); `plan submit`, `plan get`, `plan list` and `plan rollback`
 * (operator) talk to a running gateway.
 */
export function registerPlan(plan: Command, io: Io, setExit: (code: ExitCode) => void): void {
  plan
    .command('validate <file>')
    .description('validate a plan file against the handoff contract')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const parsed = readPlan(file);
          const result = { valid: true, planId: parsed.planId, digest: planDigest(parsed) };
          printResult(
            io,
            opts.json ?? false,
            result,
            () => `valid: plan ${result.planId}, digest ${result.digest}`,
          );
          return EXIT.OK;
        }),
      );
    });
  plan
    .command('dry-run <file>')
    .description("evaluate a plan against the config's policy set, with no side effect")
    .requiredOption('-c, --config <file>', 'gateway configuration (for its policy set)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { config: string; json?: boolean }) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const { policySet } = loadConfigFile(opts.config);
          const parsed = readPlan(file);
          const evaluation = evaluatePolicy({
            plan: parsed,
            planDigest: planDigest(parsed),
            policySet,
            policyVersion: policyVersion(policySet),
            evaluatedAt: new Date().toISOString(),
          });
          const recommended = evaluation.options[parsed.recommendedOptionId];
          printResult(io, opts.json ?? false, evaluation, () =>
            Object.values(evaluation.options)
              .map((o) =>
                [
                  `option ${o.optionId}: ${o.outcome}`,
                  ...o.decisions
                    .filter((d) => d.decision !== 'allow')
                    .map(
                      (d) =>
                        `  ${d.decision} (${d.enforcement}) ${d.ruleId} ${d.reasonCode} at ${d.path}: ${d.message}`,
                    ),
                ].join('\n'),
              )
              .join('\n'),
          );
          return recommended?.outcome === 'deny' ? EXIT.REFUSED : EXIT.OK;
        }),
      );
    });
  plan
    .command('submit <file>')
    .description('submit a plan to a running gateway')
    .requiredOption('--url <url>', 'gateway URL')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { url: string; apiKey?: string; json?: boolean }) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const body = readJson(file);
          const view = await gatewayClient(opts.url, opts.apiKey).plans.submit.mutate({
            plan: body,
          });
          printResult(
            io,
            opts.json ?? false,
            view,
            () =>
              `plan ${view.planId}: ${view.state}${view.reasonCode ? ` (${view.reasonCode})` : ''}`,
          );
          return view.state === 'rejected' ? EXIT.REFUSED : EXIT.OK;
        }),
      );
    });
  plan
    .command('get <planId>')
    .description('read a plan from a running gateway')
    .requiredOption('--url <url>', 'gateway URL')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option('--json', 'print JSON')
    .action(async (planId: string, opts: { url: string; apiKey?: string; json?: boolean }) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const view = await gatewayClient(opts.url, opts.apiKey).plans.get.query({ planId });
          printResult(io, opts.json ?? false, view, () => planText(view));
          return EXIT.OK;
        }),
      );
    });
  remoteCommand(
    plan
      .command('list')
      .description("list the tenant's plans, newest first (a copilot sees its own)")
      .option('--state <list>', `comma-separated states (${PLAN_STATES.join(', ')})`, planStates)
      .option('--workflow <workflowId>', "one workflow's plans")
      .option('--limit <n>', 'at most n plans (default 50, at most 500)', positiveInt)
      .option('--cursor <cursor>', 'the next page: the cursor a previous page printed'),
  ).action(
    async (
      opts: RemoteOptions & {
        state?: PlanState[];
        workflow?: string;
        limit?: number;
        cursor?: string;
      },
    ) =>
      callGateway(
        io,
        setExit,
        opts,
        (client) =>
          client.plans.list.query({
            ...(opts.state ? { states: opts.state } : {}),
            ...(opts.workflow ? { workflowId: opts.workflow } : {}),
            ...(opts.limit ? { limit: opts.limit } : {}),
            ...(opts.cursor ? { cursor: opts.cursor } : {}),
          }),
        planLines,
      ),
  );
  plan
    .command('rollback <planId>')
    .description(
      'roll a dispatched plan back (operator): queue its compensations, or approve a rollback another operator asked for',
    )
    .requiredOption('--url <url>', 'gateway URL')
    .requiredOption('--reason <text>', 'why (kept in the lineage)')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option('--json', 'print JSON')
    .action(
      async (
        planId: string,
        opts: { url: string; reason: string; apiKey?: string; json?: boolean },
      ) => {
        setExit(
          await run(io, opts.json ?? false, async () => {
            const answer = await gatewayClient(opts.url, opts.apiKey).plans.rollback.mutate({
              planId,
              reason: opts.reason,
            });
            printResult(io, opts.json ?? false, answer, () =>
              [
                `plan ${answer.planId} rollback: ${answer.status} (approvals ${answer.approvals.approvedBy.length} of ${answer.approvals.required})`,
                ...answer.compensations.map(
                  (c) => `  undo action ${c.actionIndex} ${c.actionId} (${c.type}): ${c.method}`,
                ),
                ...answer.irreversible.map(
                  (i) =>
                    `  irreversible action ${i.actionIndex} ${i.actionId} (${i.type}): ${i.reason}`,
                ),
              ].join('\n'),
            );
            return EXIT.OK;
          }),
        );
      },
    );
}
