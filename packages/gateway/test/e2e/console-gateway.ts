/**
 * A real gateway process for the console's end-to-end tests: the e2e gateway folder of the CLI tests (keys, API
 * keys, policy, caps, HubSpot fake) plus an operator API key and the console's relying party: rpId `localhost`
 * and origin `http://localhost:<port>` (WebAuthn needs a domain, not an IP address, as relying party id), on a
 * port chosen before start so the origin is known to the config.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WireOutput } from '@handoff/protocol';
import getPort from 'get-port';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { type GatewayChild, POLICY_FILE, runCli, startGatewayChild } from '../cli/cli-support.js';
import { freshPlan, type GatewayFolder, prepareGatewayFolder } from '../cli/e2e-setup.js';
import { httpClient } from '../http/http-fixture.js';

const CONSOLE_DIST = new URL('../../../console/dist/index.html', import.meta.url).pathname;

/** Builds the console once when its `dist/` is missing (`pnpm install` builds it; a bare checkout may not have). */
export function ensureConsoleBuilt(): void {
  if (existsSync(CONSOLE_DIST)) return;
  execFileSync('pnpm', ['--filter', '@handoff/console', 'build'], { stdio: 'inherit' });
}

/** How long the two-person gate waits before backup roles may approve too (the shortest deadline policy allows). */
export const ESCALATION_SECONDS = 60;
/** The backup role the two-person gate escalates to at its deadline. */
export const BACKUP_ROLE = 'risk_officer';

/**
 * The e2e policy: the CLI tests' policy file, its two-person gate (`spend-risk-approval`) given a deadline of
 * {@link ESCALATION_SECONDS} after which {@link BACKUP_ROLE} holders may approve too; written into `dir`.
 */
function escalatingPolicy(dir: string): string {
  const policy = parse(readFileSync(POLICY_FILE, 'utf8')) as { rules: Record<string, unknown>[] };
  const gate = policy.rules.find((rule) => rule.id === 'spend-risk-approval');
  if (!gate) throw new Error('the policy fixture has no spend-risk-approval rule');
  gate.escalation = {
    afterSeconds: ESCALATION_SECONDS,
    action: 'escalate',
    backupRoles: [BACKUP_ROLE],
  };
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, stringify(policy));
  return file;
}

/** The running gateway, where the browser reaches it, and API clients of its callers. */
export interface ConsoleGateway {
  folder: GatewayFolder;
  child: GatewayChild;
  /** `http://localhost:<port>`: the console's origin (open pages here, not at 127.0.0.1). */
  origin: string;
  operatorKey: string;
  copilot: ReturnType<typeof httpClient>;
  operator: ReturnType<typeof httpClient>;
}

/**
 * Prepares the folder (see `prepareGatewayFolder`), adds an operator API key, the `console` section and a
 * `checkpoints` section (a fresh EdDSA checkpoint key: signed tree heads for the auditor page), applies
 * `edit` to the config (e.g. a policy file of the test's own), starts `handoff gateway start` and waits for it.
 */
export async function startConsoleGateway(
  hubspotUrl: string,
  edit: (config: Record<string, unknown>, dir: string) => void = () => {},
): Promise<ConsoleGateway> {
  const folder = await prepareGatewayFolder(hubspotUrl);
  const made = await runCli(
    ...[
      'keys',
      'api-key',
      '--id',
      'operator-1',
      '--tenant',
      'acme-bank',
      '--roles',
      'operator',
      '--json',
    ],
  );
  expect(made.code, made.err).toBe(0);
  const { apiKey: operatorKey, entry } = JSON.parse(made.out) as { apiKey: string; entry: unknown };
  // A checkpoint key, so the lineage's transparency log signs tree heads (the auditor page shows the latest).
  const checkpointKey = await runCli(
    ...['keys', 'generate', '--alg', 'EdDSA', '--out', join(folder.dir, 'checkpoint'), '--json'],
  );
  expect(checkpointKey.code, checkpointKey.err).toBe(0);
  const { privateKeyFile } = JSON.parse(checkpointKey.out) as { privateKeyFile: string };
  // Chosen before start (get-port asks the OS for a free one) so the config can name the console's origin.
  const port = await getPort({ host: '127.0.0.1' });
  const origin = `http://localhost:${port}`;
  const config = parse(readFileSync(folder.configFile, 'utf8')) as Record<string, unknown> & {
    auth: { apiKeys: unknown[] };
  };
  config.auth.apiKeys.push(entry);
  config.listen = { host: '127.0.0.1', port };
  config.console = { rpId: 'localhost', origin };
  config.checkpoints = { keyFile: privateKeyFile };
  config.policy = { file: escalatingPolicy(folder.dir) };
  // The sweep that escalates gates at their deadline runs every second.
  config.expirySweepMs = 1000;
  edit(config, folder.dir);
  writeFileSync(folder.configFile, stringify(config));
  const child = await startGatewayChild(folder.configFile, 30_000, folder.env);
  return {
    folder,
    child,
    origin,
    operatorKey,
    copilot: httpClient(child.url, folder.apiKey.copilot),
    operator: httpClient(child.url, operatorKey),
  };
}

/** Submits the two-option plan fixture as the copilot, with `planId`; it awaits approval. */
export async function submitPlan(gateway: ConsoleGateway, planId: string): Promise<void> {
  const view = await gateway.copilot.plans.submit.mutate({ plan: freshPlan(planId) });
  expect(view.state).toBe('awaiting_approval');
}

/** Invites a person of acme-bank as the operator; answers the one-time enrolment link. */
export async function invite(
  gateway: ConsoleGateway,
  subject: string,
  roles: string[],
  access: ('approver' | 'operator' | 'auditor')[] = ['approver'],
): Promise<string> {
  const invitation: WireOutput<'approvers.invite'> = await gateway.operator.approvers.invite.mutate(
    { subject, roles, access },
  );
  expect(invitation.enrolmentUrl).toMatch(new RegExp(`^${gateway.origin}/console/enrol#`));
  return invitation.enrolmentUrl;
}

/** Where the tests write the screenshots the gateway README shows. */
export const SCREENSHOTS = join(new URL('../../docs/screenshots', import.meta.url).pathname);
