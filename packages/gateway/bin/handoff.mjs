#!/usr/bin/env node
// The `handoff` CLI. `#cli` (the package's `imports` map) is the compiled entry `dist/cli.js`, built by
// `pnpm build` (run by `pnpm install` in the workspace, shipped in the package): no TypeScript compiler runs.
// Under the workspace's source condition (`node --conditions=@handoff/source --import tsx`), it is
// `src/cli.ts` instead, which the tests use to run the CLI as it is in the working tree.
const { main } = await import('#cli');
process.exitCode = await main(process.argv);
