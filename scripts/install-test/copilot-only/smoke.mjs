// The copilot adapter loads and validates without the gateway installed.
import { readFile } from 'node:fs/promises';
import { validatePlan } from '@handoff/copilot-adapter';

const file = import.meta.resolve(
  '@handoff/protocol/conformance/v1/HandoffPlan/valid/minimal-single-option.json',
);
const result = validatePlan(JSON.parse(await readFile(new URL(file), 'utf8')));
if (!result.ok) throw new Error('install test: validatePlan refused a valid corpus plan');
console.log('copilot-only: the adapter loads and validates without @handoff/gateway');
