/**
 * Regenerates the committed JSON Schema (`schema/v1/`) and TypeScript declarations (`types/v1/`) from the zod
 * schemas: `pnpm --filter @handoff/protocol generate`. The drift test fails until this has been run after a
 * schema change.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArtifacts, SCHEMA_DIR, TYPES_DIR } from './artifacts.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = await generateArtifacts();
for (const dir of [SCHEMA_DIR, TYPES_DIR]) {
  mkdirSync(join(root, dir), { recursive: true });
  for (const name of readdirSync(join(root, dir))) {
    if (!files.has(`${dir}/${name}`)) rmSync(join(root, dir, name));
  }
}
for (const [path, content] of files) writeFileSync(join(root, path), content);
console.log(`wrote ${files.size} files under ${SCHEMA_DIR}/ and ${TYPES_DIR}/`);
