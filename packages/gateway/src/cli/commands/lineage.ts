import type { Command } from 'commander';
import { gatewayClient } from '../client.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { run } from '../main.js';
import { positiveInt } from '../options.js';
import { type Io, printResult } from '../output.js';

/** `handoff lineage query`: lineage events of the caller's tenant from a running gateway, in `seq` order. */
export function registerLineage(program: Command, io: Io, setExit: (code: ExitCode) => void): void {
  const lineage = program.command('lineage').description('query the lineage');
  lineage
    .command('query')
    .description('list lineage events (auditor or operator)')
    .requiredOption('--url <url>', 'gateway URL')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option('--plan <planId>', 'only events of this plan')
    .option('--after <seq>', 'only events after this sequence number')
    .option('--limit <n>', 'events per page (1-500)', positiveInt, 100)
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        url: string;
        apiKey?: string;
        plan?: string;
        after?: string;
        limit: number;
        json?: boolean;
      }) => {
        setExit(
          await run(io, opts.json ?? false, async () => {
            const page = await gatewayClient(opts.url, opts.apiKey).lineage.query.query({
              ...(opts.plan ? { planId: opts.plan } : {}),
              ...(opts.after ? { cursor: opts.after } : {}),
              limit: opts.limit,
            });
            printResult(io, opts.json ?? false, page, () =>
              page.items
                .map(
                  (e) =>
                    `${e.seq} ${e.occurredAt} ${e.type} ${e.actor.type}:${e.actor.id}${e.planId ? ` plan ${e.planId}` : ''}`,
                )
                .join('\n'),
            );
            return EXIT.OK;
          }),
        );
      },
    );
}
