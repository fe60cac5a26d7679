/**
 * Regenerates the committed JSON Schema (`schema/v1/`) and TypeScript declarations (`types/v1/`) from the zod
 * schemas, the OpenAPI document of the gateway's HTTP API (`openapi/handoff.openapi.json`) from `WIRE_PROCEDURES`
 * and `ERROR_CODES`, and the error-code table of the copilot adapter's HTTP.md: `pnpm --filter @handoff/protocol
 * generate`. The drift tests fail until this has been run after a schema change.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, WIRE_PROCEDURES } from '../src/index.js';
import { generateArtifacts, SCHEMA_DIR, TYPES_DIR } from './artifacts.js';
import { HTTP_DOC_PATH, withGeneratedTables } from './http-doc-tables.js';
import { OPENAPI_PATH, openApiJson } from './openapi.js';

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

mkdirSync(join(root, dirname(OPENAPI_PATH)), { recursive: true });
writeFileSync(join(root, OPENAPI_PATH), openApiJson(WIRE_PROCEDURES, ERROR_CODES));
const httpDoc = join(root, HTTP_DOC_PATH);
writeFileSync(
  httpDoc,
  withGeneratedTables(readFileSync(httpDoc, 'utf8'), WIRE_PROCEDURES, ERROR_CODES),
);
console.log(`wrote ${OPENAPI_PATH} and the tables of ${HTTP_DOC_PATH}`);
