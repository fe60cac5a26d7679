import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  documentJsonSchema,
  generateArtifacts,
  SCHEMA_DIR,
  TYPES_DIR,
} from '../scripts/artifacts.js';
import { DOCUMENT_KINDS } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fresh = await generateArtifacts();

describe('committed JSON Schema and declarations match a fresh generation', () => {
  test.each([...fresh.keys()])('%s', (path) => {
    const committed = readFileSync(join(root, path), 'utf8');
    expect(committed, `${path} is stale: run pnpm --filter @handoff/protocol generate`).toBe(
      fresh.get(path),
    );
  });

  test('no stray files in the generated folders', () => {
    for (const dir of [SCHEMA_DIR, TYPES_DIR]) {
      const stray = readdirSync(join(root, dir)).filter((name) => !fresh.has(`${dir}/${name}`));
      expect(stray, `${dir} holds files the generator does not write`).toEqual([]);
    }
  });
});

describe('generated JSON Schema', () => {
  test.each(DOCUMENT_KINDS)('%s is draft 2020-12 with an $id and closed objects', (kind) => {
    const schema = documentJsonSchema(kind);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`urn:handoff:schema:v1:${kind}`);
    const text = JSON.stringify(schema);
    // Every object schema in the contract is closed: a vendor's extra field is an error, not silently dropped.
    const objects = text.match(/"type":"object"/g)?.length ?? 0;
    const closed = text.match(/"additionalProperties":false/g)?.length ?? 0;
    const records = text.match(/"propertyNames"/g)?.length ?? 0;
    expect(closed + records).toBe(objects);
  });

  test('money amounts are integers in the safe range and currencies an enum', () => {
    const defs = documentJsonSchema('HandoffPlan').$defs as Record<string, { properties?: object }>;
    expect(defs.Money?.properties).toMatchObject({
      amountMinor: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      currency: { $ref: '#/$defs/CurrencyCode' },
    });
  });
});
