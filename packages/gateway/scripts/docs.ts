/** Regenerates the configuration reference and its JSON Schema under `docs/`. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONFIG_REFERENCE_FILE,
  CONFIG_SCHEMA_FILE,
  configJsonSchema,
  configReference,
} from './config-reference.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(join(root, CONFIG_SCHEMA_FILE), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
writeFileSync(join(root, CONFIG_REFERENCE_FILE), configReference());
console.log(`wrote ${CONFIG_SCHEMA_FILE} and ${CONFIG_REFERENCE_FILE}`);
