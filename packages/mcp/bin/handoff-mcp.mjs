#!/usr/bin/env node
// `handoff-mcp --gateway <url>`: the Handoff MCP server over stdio. `#cli` (the package's `imports` map) is the
// compiled `dist/cli.js`; under the workspace's source condition (`node --conditions=@handoff/source --import tsx`)
// it is `src/cli.ts`, which the tests run.
const { main } = await import('#cli');
process.exitCode = await main(process.argv.slice(2));
