import type { Command } from 'commander';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';

/**
 * `handoff mcp --gateway <url>`: the Handoff MCP server over stdio for one copilot, the same as `handoff-mcp` of
 * `@handoff/mcp` (see its README): the API key from `HANDOFF_API_KEY` (never a flag), the copilot's signing key
 * from `HANDOFF_COPILOT_KEY_FILE` or `HANDOFF_COPILOT_PRIVATE_JWK`. Serves until the client closes stdin (exit 0);
 * exit 3 when it cannot start (no API key, a bad URL or key). stdout is the MCP stream: diagnostics go to stderr.
 */
export function registerMcp(mcp: Command, io: Io, setExit: (code: ExitCode) => void): void {
  mcp
    .requiredOption('--gateway <url>', "the gateway's base URL, e.g. http://127.0.0.1:4000")
    .action(async (opts: { gateway: string }) => {
      const { runStdioServer } = await import('@handoff/mcp');
      let close: () => Promise<void>;
      try {
        close = await runStdioServer({ gatewayUrl: opts.gateway });
      } catch (error) {
        io.err(`handoff mcp: ${error instanceof Error ? error.message : String(error)}`);
        setExit(EXIT.CONFIG);
        return;
      }
      await new Promise<void>((resolve) => process.stdin.once('end', resolve));
      await close();
      setExit(EXIT.OK);
    });
}
