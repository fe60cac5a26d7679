import { readFileSync } from 'node:fs';
import type { PolicyShadowReport } from '@handoff/protocol';
import type { Command } from 'commander';
import { GatewayError } from '../../errors.js';
import { gatewayClient } from '../client.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';

/** A report as people read it: the plans replayed, each changed rule with its transitions and one example. */
export function shadowReportText(report: PolicyShadowReport): string {
  const period = `${report.from ?? 'the first plan'} to ${report.to ?? 'now'}`;
  const lines = [
    `candidate ${report.policySetId} (${report.policyVersion})`,
    `replayed ${report.plansReplayed} plan(s), ${report.optionsReplayed} option(s), ${period}${report.truncated ? ' (truncated by --limit)' : ''}`,
    `outcomes changed: ${report.outcomes.changed}${transitions(report.outcomes.transitions)}`,
  ];
  for (const rule of report.rules) {
    lines.push(
      `rule ${rule.ruleId}: ${rule.changed} decision(s) change${transitions(rule.transitions)}`,
    );
    for (const ex of rule.examples.slice(0, 1)) {
      const now = ex.candidate.reasonCode ? ` ${ex.candidate.reasonCode}` : '';
      lines.push(
        `  e.g. plan ${ex.planId} option ${ex.optionId}: ${ex.recorded.decision} -> ${ex.candidate.decision}${now}`,
      );
    }
  }
  if (report.rules.length === 0) lines.push('no decision would change');
  return lines.join('\n');
}

function transitions(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([key, n]) => `${key} ${n}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/**
 * `handoff policy shadow --policy <file> --url <gateway>`: replays the tenant's recorded plans (of `--from` to
 * `--to`, RFC 3339) against a candidate policy set (YAML or JSON) on a running gateway (`policy.shadow`, operator or
 * auditor) and prints every decision it would change. Writes nothing. Exit 0 when it ran (whatever it found), 1 on
 * a bad candidate or period.
 */
export function registerPolicy(policy: Command, io: Io, setExit: (code: ExitCode) => void): void {
  policy
    .command('shadow')
    .description('replay recorded plans against a candidate policy set; report what would change')
    .requiredOption('--policy <file>', 'candidate policy set (YAML or JSON)')
    .requiredOption('--url <url>', 'gateway URL')
    .option('--api-key <key>', 'API key of an operator or auditor (default: $HANDOFF_API_KEY)')
    .option('--from <time>', 'replay plans received at or after this time (RFC 3339)')
    .option('--to <time>', 'replay plans received before this time (RFC 3339)')
    .option('--limit <n>', 'most plans to replay, newest first (default 1000)')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        policy: string;
        url: string;
        apiKey?: string;
        from?: string;
        to?: string;
        limit?: string;
        json?: boolean;
      }) => {
        setExit(
          await run(io, opts.json ?? false, async () => {
            let text: string;
            try {
              text = readFileSync(opts.policy, 'utf8');
            } catch (error) {
              throw new GatewayError('VALIDATION_FAILED', `Cannot read ${opts.policy}`, {
                issues: [{ path: '', code: 'UNREADABLE', message: (error as Error).message }],
              });
            }
            const report = await gatewayClient(opts.url, opts.apiKey).policy.shadow.mutate({
              policy: text,
              ...(opts.from ? { from: opts.from } : {}),
              ...(opts.to ? { to: opts.to } : {}),
              ...(opts.limit ? { limit: Number(opts.limit) } : {}),
            });
            printResult(io, opts.json ?? false, report, () => shadowReportText(report));
            return EXIT.OK;
          }),
        );
      },
    );
}
