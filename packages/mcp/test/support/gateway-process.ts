import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateProvenanceKeyPair, type ProvenanceKeyPair } from '@handoff/copilot-adapter';
import { parse, stringify } from 'yaml';
import {
  type GatewayChild,
  HANDOFF_BIN,
  startGatewayChild,
} from '../../../gateway/test/cli/cli-support.js';
import {
  freshPlan,
  type GatewayFolder,
  prepareGatewayFolder,
} from '../../../gateway/test/cli/e2e-setup.js';
import { httpClient } from '../../../gateway/test/http/http-fixture.js';

const here = new URL('.', import.meta.url).pathname;

/** The repository root (where `tsx` resolves for `--import tsx`). */
export const REPO_ROOT = join(here, '../../../..');
/** `handoff-mcp`, run from source: the workspace's source condition and tsx. */
export const MCP_BIN = join(here, '../../bin/handoff-mcp.mjs');
/** Node's arguments to run a bin of the workspace from source. */
export const SOURCE_NODE_ARGS = ['--conditions=@handoff/source', '--import', 'tsx'];
export { HANDOFF_BIN };

/** A real `handoff gateway start` process that requires signed plans from the copilot key it was given. */
export interface GatewayProcess {
  gw: GatewayChild;
  folder: GatewayFolder;
  /** The copilot's provenance key pair; its public half is the gateway's `provenance.copilotKeys`. */
  copilotKey: ProvenanceKeyPair;
  /** The copilot key as a private JWK file, for `HANDOFF_COPILOT_KEY_FILE`. */
  copilotKeyFile: string;
  /** `data` of the plan's lineage events of `type`, read over the API as the auditor. */
  eventData(planId: string, type: 'plan.received'): Promise<unknown[]>;
  stop(): Promise<number | null>;
}

/**
 * Starts the gateway CLI's real process on the e2e folder (`prepareGatewayFolder`: tenant acme-bank, EUR 5,000.00
 * a month, copilot/approver/auditor API keys), with `provenance.required` and a fresh copilot key.
 */
export async function startGatewayProcess(): Promise<GatewayProcess> {
  const folder = await prepareGatewayFolder('https://api.hubapi.test');
  const copilotKey = await generateProvenanceKeyPair({ alg: 'EdDSA' });
  writeFileSync(
    join(folder.dir, 'copilot-jwks.json'),
    JSON.stringify({ keys: [copilotKey.publicJwk] }),
  );
  const copilotKeyFile = join(folder.dir, 'copilot-private.jwk.json');
  writeFileSync(copilotKeyFile, JSON.stringify(copilotKey.privateJwk), { mode: 0o600 });
  const config = parse(readFileSync(folder.configFile, 'utf8')) as Record<string, unknown>;
  const provenance = { copilotKeys: [{ type: 'file', path: 'copilot-jwks.json' }], required: true };
  writeFileSync(folder.configFile, stringify({ ...config, provenance }));
  const gw = await startGatewayChild(folder.configFile, 30_000, folder.env);
  const auditor = httpClient(gw.url, folder.apiKey.auditor);
  return {
    gw,
    folder,
    copilotKey,
    copilotKeyFile,
    eventData: async (planId, type) => {
      const page = await auditor.lineage.query.query({ planId, types: [type] });
      return page.items.map((e) => e.data);
    },
    stop: () => gw.stop(),
  };
}

export { freshPlan };
