#!/usr/bin/env node
// The `handoff` CLI. Workspace code runs from TypeScript source (no build step): tsx's loader compiles it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
