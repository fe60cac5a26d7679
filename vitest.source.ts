/**
 * Vitest resolves the workspace packages (`@handoff/*`) to their TypeScript source: the `@handoff/source` export
 * condition comes first, before Vite's default conditions (listed again, since `conditions` replaces them). Every
 * Vitest config of the workspace spreads this in, so tests need no build.
 */
const SOURCE_CONDITION = '@handoff/source';

export const sourceConditions = {
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'development|production'] } },
};
