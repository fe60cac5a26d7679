import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type HandoffClient, handoffPlanJsonSchema } from '@handoff/copilot-adapter';
import type { ReadResourceResult, Resource } from '@modelcontextprotocol/sdk/types.js';

/** The URI of the HandoffPlan JSON Schema resource. */
export const PLAN_SCHEMA_URI = 'handoff://schema/v1/HandoffPlan';
/** The URI of the active policy set's summary. */
export const POLICY_SUMMARY_URI = 'handoff://policy/active';
/** The URI prefix of the conformance examples (valid HandoffPlans shipped by `@handoff/protocol`). */
export const EXAMPLE_URI_PREFIX = 'handoff://examples/v1/HandoffPlan/';

/** Where `@handoff/protocol` keeps its valid HandoffPlan examples (`conformance/v1/HandoffPlan/valid/`). */
function examplesDir(): string {
  const manifest = createRequire(import.meta.url).resolve('@handoff/protocol/package.json');
  return join(dirname(manifest), 'conformance', 'v1', 'HandoffPlan', 'valid');
}

async function exampleNames(): Promise<string[]> {
  return (await readdir(examplesDir())).filter((name) => name.endsWith('.json')).sort();
}

/** Every resource, as `resources/list` shows it. */
export async function resourceList(): Promise<Resource[]> {
  const examples = (await exampleNames()).map((name) => ({
    uri: `${EXAMPLE_URI_PREFIX}${name}`,
    name: `example-${name.replace(/\.json$/, '')}`,
    title: `Valid HandoffPlan example: ${name.replace(/\.json$/, '').replaceAll('-', ' ')}`,
    description: 'A HandoffPlan that validates (from the conformance suite of @handoff/protocol).',
    mimeType: 'application/json',
  }));
  return [
    {
      uri: PLAN_SCHEMA_URI,
      name: 'handoff-plan-schema',
      title: 'HandoffPlan JSON Schema',
      description:
        'The JSON Schema (draft 2020-12) of a HandoffPlan, generated from the contract. Cross-field rules it cannot state (costs within budget, p10 <= p50 <= p90, expiresAt after createdAt) are in the handoff_write_plan prompt.',
      mimeType: 'application/schema+json',
    },
    {
      uri: POLICY_SUMMARY_URI,
      name: 'handoff-active-policy',
      title: 'Active policy set',
      description:
        "The gateway's active policy set (policy.get): id, version, each rule with its type, enforcement, scope (appliesTo) and settings (thresholds, caps, windows), and the shadow set if one runs. Policy is per gateway, the same for every tenant.",
      mimeType: 'application/json',
    },
    ...examples,
  ];
}

function json(uri: string, mimeType: string, value: unknown): ReadResourceResult {
  return { contents: [{ uri, mimeType, text: JSON.stringify(value, null, 2) }] };
}

/**
 * Answers `resources/read`. @throws Error for an unknown URI (a protocol error); the client's errors for the
 * policy summary (the gateway could not be asked).
 */
export async function readResource(
  uri: string,
  client: HandoffClient,
): Promise<ReadResourceResult> {
  if (uri === PLAN_SCHEMA_URI) return json(uri, 'application/schema+json', handoffPlanJsonSchema());
  if (uri === POLICY_SUMMARY_URI) return json(uri, 'application/json', await client.policy());
  if (uri.startsWith(EXAMPLE_URI_PREFIX)) {
    const name = uri.slice(EXAMPLE_URI_PREFIX.length);
    if ((await exampleNames()).includes(name)) {
      const text = await readFile(join(examplesDir(), name), 'utf8');
      return { contents: [{ uri, mimeType: 'application/json', text }] };
    }
  }
  throw new Error(`Unknown resource ${uri}`);
}
