import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

/*
 * What a copilot vendor installs: @handoff/copilot-adapter must run and type-check with its own dependencies
 * (the protocol, the tRPC client, jose, zod). Its source importing anything else (the gateway, a devDependency)
 * breaks a consumer with TS2307 or ERR_MODULE_NOT_FOUND, so every bare import of src/ must name a dependency.
 */
const root = join(import.meta.dirname, '..');
const manifest: { dependencies?: Record<string, string> } = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
);

/** Every `.ts` file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The bare specifiers a file imports or re-exports (type-only imports included: they reach the `.d.ts`). */
function bareImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)];
  return found.map((m) => m[1] ?? '').filter((s) => s !== '' && !s.startsWith('.'));
}

describe('copilot-adapter imports only what it depends on', () => {
  const allowed = new Set([...Object.keys(manifest.dependencies ?? {})]);
  const builtins = new Set(builtinModules);

  test.each(sources(join(root, 'src')).map((f) => [f.slice(root.length + 1), f]))(
    '%s',
    (_name, file) => {
      const strays = bareImports(file)
        .filter((s) => !s.startsWith('node:') && !builtins.has(s))
        .map(packageOf)
        .filter((p) => !allowed.has(p));
      expect(strays).toEqual([]);
    },
  );

  test('the scan sees imports, including type-only ones', () => {
    const client = join(root, 'src/client/handoff-client.ts');
    expect(bareImports(client)).toContain('@trpc/client');
    expect(bareImports(client)).toContain('@handoff/protocol');
  });
});
