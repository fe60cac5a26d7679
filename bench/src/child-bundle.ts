import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * The benchmark servers run on plain `node` from one esbuild bundle of `server-child.ts` and the workspace
 * TypeScript it imports, as a deployment runs compiled JavaScript: under `node --import tsx` the child carried
 * tsx's loader (a hooks thread with its own V8 heap, every module's source and inline source map), about 65 MiB
 * of RSS at idle that is no part of the gateway. Both servers (gateway and bare baseline) run the same way, so the
 * comparison is unchanged; only the loader's memory and its per-module overhead are gone.
 */

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

/** Native addons stay outside the bundle, imported by absolute path from where the source would load them. */
const NATIVE = ['better-sqlite3'];

/**
 * Sources that locate files next to themselves (the gateway's migrations, the plan fixture) keep their own
 * `import.meta.url` in the bundle, so the bundle behaves as the sources do wherever it is written.
 */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = await readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

const nativeByPath: Plugin = {
  name: 'native-by-path',
  setup(b) {
    const filter = new RegExp(`^(${NATIVE.join('|')})$`);
    b.onResolve({ filter }, (args) => ({
      path: createRequire(args.importer).resolve(args.path),
      external: true,
    }));
  },
};

/** Bundles `server-child.ts` to `dir/server-child.mjs` (ESM, Node 20) and returns the file's path. */
export async function bundleServerChild(dir: string): Promise<string> {
  const outfile = join(dir, 'server-child.mjs');
  await build({
    entryPoints: [CHILD],
    outfile,
    bundle: true,
    platform: 'node',
    // The workspace packages from their TypeScript source, as the rest of the workspace runs them.
    conditions: ['@handoff/source'],
    format: 'esm',
    target: 'node20',
    // CommonJS dependencies inside an ESM bundle still call `require` for Node built-ins.
    banner: {
      js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
    },
    plugins: [keepModuleUrls, nativeByPath],
    logLevel: 'warning',
  });
  return outfile;
}
