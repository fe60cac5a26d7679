/** `--keep`: leave a story's gateway running, dispatching on its own, and say how to explore it with the CLI. */
import { relative } from 'node:path';
import type { StoryGateway } from './story-gateway.js';
import { REPO_ROOT } from './story-gateway.js';
import { detail, heading, paint } from './terminal.js';

/** Prints the CLI commands for the running gateway and keeps serving until Ctrl-C (SIGINT) or SIGTERM. */
export async function keepServing(
  gw: StoryGateway,
  planId: string,
  closeOthers: () => Promise<void>,
): Promise<void> {
  gw.dispatchOnItsOwn();
  const cli = 'node packages/gateway/bin/handoff.mjs';
  const dir = relative(REPO_ROOT, gw.dir);
  heading('The gateway keeps running (--keep)');
  detail(`from the repository root, in another terminal:`);
  detail(paint('bold', `export HANDOFF_API_KEY=${gw.apiKeys.auditor}   # the auditor's key`), 4);
  detail(`${cli} plan get ${planId} --url ${gw.url} --api-key ${gw.apiKeys.operator}`, 4);
  detail(`${cli} lineage query --url ${gw.url} --plan ${planId}`, 4);
  detail(`${cli} lineage trace --url ${gw.url} --plan ${planId}`, 4);
  detail(`${cli} lineage verify --db ${dir}/gateway.db`, 4);
  detail(`${cli} plan submit <plan.json> --url ${gw.url} --api-key ${gw.apiKeys.copilot}`, 4);
  detail(`approver keys: ${dir}/keys/*.private.jwk.json; config: ${dir}/handoff.config.json`, 4);
  detail('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gw.stop();
  await closeOthers();
}
