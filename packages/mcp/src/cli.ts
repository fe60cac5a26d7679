import { parseArgs } from 'node:util';
import { API_KEY_ENV, runStdioServer } from './stdio.js';

const USAGE = `Usage: handoff-mcp --gateway <url>

Serves the Handoff MCP server over stdio for one copilot.
  --gateway <url>   the gateway's base URL (or HANDOFF_GATEWAY_URL)
Environment:
  ${API_KEY_ENV}                 the copilot's API key (required; never a flag)
  HANDOFF_COPILOT_KEY_FILE        a private JWK file: plans are signed with it
  HANDOFF_COPILOT_PRIVATE_JWK     the private JWK itself, instead of a file
`;

/**
 * `handoff-mcp --gateway <url>` (`argv` without node and the script): serves MCP on stdin and stdout until the
 * client closes stdin. Diagnostics go to stderr only (stdout is the protocol stream).
 *
 * @returns the exit code: 0 when the client closed stdin (or `--help`), 2 on a usage error, 1 when the server
 *   could not start (no `HANDOFF_API_KEY`, a bad URL or copilot key).
 */
export async function main(argv: string[]): Promise<number> {
  let values: { gateway?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { gateway: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stderr.write(USAGE);
    return 0;
  }
  const gatewayUrl = values.gateway ?? process.env.HANDOFF_GATEWAY_URL;
  if (!gatewayUrl) {
    process.stderr.write(`--gateway is required\n${USAGE}`);
    return 2;
  }
  try {
    await runStdioServer({ gatewayUrl });
  } catch (error) {
    process.stderr.write(
      `handoff-mcp: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  // Serving: the process ends when the client closes stdin.
  return new Promise<number>((resolve) => process.stdin.once('end', () => resolve(0)));
}
