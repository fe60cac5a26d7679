/**
 * The CLI's entry point: `bin/handoff.mjs` imports its compiled form, `dist/cli.js` (through the package's `#cli`
 * import). `main(argv, io?)` runs one command line and resolves with the process exit code.
 */
export { main } from './cli/main.js';
