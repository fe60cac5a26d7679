import { readFileSync } from 'node:fs';
import { type CurrencyCode, isCurrencyCode, moneyFromDecimalString } from '@handoff/protocol';
import { type Command, Option } from 'commander';
import type { JWK } from 'jose';
import { createApprovalToken } from '../../approvals/create-approval.js';
import { GatewayError } from '../../errors.js';
import { gatewayClient } from '../client.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { positiveInt } from '../options.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';

interface ApproveOptions {
  key: string;
  planView?: string;
  planId?: string;
  digest?: string;
  policyVersion?: string;
  option?: string;
  role: string;
  sub: string;
  iss: string;
  aud: string;
  maxSpend: string;
  currency: string;
  decision: 'approve' | 'reject';
  ttl: number;
  comment?: string;
  submit?: string;
  apiKey?: string;
  json?: boolean;
}

interface PlanFacts {
  planId: string;
  digest: string;
  policyVersion: string;
  recommendedOptionId: string;
}

function planFacts(opts: ApproveOptions): PlanFacts {
  const view = opts.planView
    ? (JSON.parse(readFileSync(opts.planView, 'utf8')) as Partial<PlanFacts>)
    : {};
  const facts = {
    planId: opts.planId ?? view.planId,
    digest: opts.digest ?? view.digest,
    policyVersion: opts.policyVersion ?? view.policyVersion,
    recommendedOptionId: opts.option ?? view.recommendedOptionId,
  };
  const missing = Object.entries(facts)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length > 0) {
    throw new GatewayError(
      'VALIDATION_FAILED',
      `Missing ${missing.join(', ')}: pass --plan-view or the options`,
    );
  }
  return facts as PlanFacts;
}

/** The approver's private JWK. @throws GatewayError `CONFIG_INVALID` (exit 3) when unreadable or not JSON. */
function readPrivateJwk(file: string): JWK {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    throw new GatewayError('CONFIG_INVALID', `Cannot read the private key file ${file}`, {
      issues: [{ path: '', code: 'UNREADABLE', message: (error as Error).message }],
    });
  }
}

/**
 * `handoff approve`: signs an approval (or `--decision reject`) for one plan with an approver's private JWK, bound
 * to the plan id, digest, option, policy version and a maximum spend (a decimal in major units, e.g. `700.00`,
 * converted exactly to minor units). Prints the compact JWS, or submits it with `--submit <gateway url>`.
 */
export function registerApprove(approve: Command, io: Io, setExit: (code: ExitCode) => void): void {
  approve
    .requiredOption('--key <file>', "the approver's private JWK file")
    .option(
      '--plan-view <file>',
      'a plan as returned by plans.get (supplies id, digest, policy version, option)',
    )
    .option('--plan-id <id>', 'plan id')
    .option('--digest <digest>', 'plan digest (sha256:...)')
    .option('--policy-version <version>', 'policy version the plan was evaluated under')
    .option('--option <optionId>', 'option to approve (default: the recommended one)')
    .requiredOption('--role <role>', 'the role you approve in, e.g. finance')
    .requiredOption('--sub <subject>', 'your approver id')
    .option('--iss <issuer>', 'issuer of the approval', 'handoff-cli')
    .requiredOption('--aud <gatewayId>', 'the gateway id')
    .requiredOption(
      '--max-spend <amount>',
      'the most this approval allows, in major units (e.g. 700.00)',
    )
    .requiredOption('--currency <code>', 'ISO 4217 currency of --max-spend')
    .addOption(
      new Option('--decision <decision>', 'approve or reject')
        .choices(['approve', 'reject'])
        .default('approve'),
    )
    .option('--ttl <seconds>', 'token lifetime in seconds', positiveInt, 900)
    .option('--comment <text>', 'a note recorded with the approval')
    .option('--submit <url>', 'submit the token to this gateway URL')
    .option('--api-key <key>', 'API key for --submit (default: $HANDOFF_API_KEY)')
    .option('--json', 'print JSON')
    .action(async (opts: ApproveOptions) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          if (!isCurrencyCode(opts.currency))
            throw new GatewayError('VALIDATION_FAILED', `Unknown currency ${opts.currency}`);
          const facts = planFacts(opts);
          let maxSpend: ReturnType<typeof moneyFromDecimalString>;
          try {
            maxSpend = moneyFromDecimalString(opts.maxSpend, opts.currency as CurrencyCode);
          } catch (error) {
            throw new GatewayError('VALIDATION_FAILED', `--max-spend: ${(error as Error).message}`);
          }
          const privateJwk = readPrivateJwk(opts.key);
          const token = await createApprovalToken(
            {
              iss: opts.iss,
              sub: opts.sub,
              aud: opts.aud,
              planId: facts.planId,
              planDigest: facts.digest as `sha256:${string}`,
              optionId: facts.recommendedOptionId,
              policyVersion: facts.policyVersion,
              decision: opts.decision,
              maxSpend,
              role: opts.role,
              ...(opts.comment ? { comment: opts.comment } : {}),
            },
            privateJwk,
            { ttlSeconds: opts.ttl },
          );
          if (!opts.submit) {
            printResult(io, opts.json ?? false, { token }, () => token);
            return EXIT.OK;
          }
          const view = await gatewayClient(opts.submit, opts.apiKey).approvals.submit.mutate({
            token,
          });
          printResult(io, opts.json ?? false, view, () => `plan ${view.planId}: ${view.state}`);
          return EXIT.OK;
        }),
      );
    });
}
