import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  CONFIG_REFERENCE_FILE,
  CONFIG_SCHEMA_FILE,
  configJsonSchema,
  configReference,
} from '../../scripts/config-reference.js';

const root = join(new URL('.', import.meta.url).pathname, '..', '..');

describe('generated configuration reference', () => {
  test('docs/config-reference.md matches the zod schema', () => {
    expect(
      readFileSync(join(root, CONFIG_REFERENCE_FILE), 'utf8'),
      'run pnpm --filter @handoff/gateway docs',
    ).toBe(configReference());
  });

  test('docs/handoff.config.schema.json matches the zod schema', () => {
    expect(JSON.parse(readFileSync(join(root, CONFIG_SCHEMA_FILE), 'utf8'))).toEqual(
      configJsonSchema(),
    );
  });

  test('every top-level setting has a row', () => {
    const reference = configReference();
    for (const key of Object.keys(configJsonSchema().properties as object)) {
      expect(reference).toContain(`| \`${key}\` |`);
    }
  });
});
