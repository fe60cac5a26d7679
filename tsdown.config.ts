import { join } from 'node:path';
import { defineConfig, type UserConfig } from 'tsdown';

/**
 * The build of every public package: ESM JavaScript and `.d.ts` into each package's `dist/`, one file per source
 * module (`unbundle`), so `dist/` mirrors `src/`: a module that finds a file beside it (the gateway's migrations
 * `../../../drizzle`) finds it from `dist/` as from `src/`. Dependencies stay
 * imports (tsdown leaves `dependencies` and `peerDependencies` external). `pnpm build` at the root runs this once
 * for all packages; `pnpm install` runs it (the root `prepare` script).
 */
function pkg(dir: string, entry: string[]): UserConfig {
  const cwd = join(import.meta.dirname, 'packages', dir);
  return {
    name: `@handoff/${dir}`,
    cwd,
    entry,
    unbundle: true,
    // Every bare specifier stays an import, workspace packages and devDependencies too (tsdown would inline a
    // devDependency, hiding a missing dependency from the manifest): what a module imports, its package depends on.
    external: [/^(?:node:|@|[a-z])/i],
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    fixedExtension: false,
    tsconfig: join(cwd, 'tsconfig.json'),
    dts: true,
    sourcemap: false,
    report: false,
  };
}

export default defineConfig([
  pkg('protocol', ['src/index.ts']),
  // The chain worker is started by file (`chain-workers.ts`), never imported: an entry of its own.
  pkg('lineage', ['src/index.ts', 'src/chain-worker.ts']),
  pkg('automation-adapter', ['src/index.ts', 'src/testing/index.ts']),
  pkg('copilot-adapter', ['src/index.ts']),
  pkg('mcp', ['src/index.ts', 'src/cli.ts']),
  pkg('gateway', ['src/index.ts', 'src/cli.ts']),
]);
