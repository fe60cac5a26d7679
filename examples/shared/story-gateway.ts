/**
 * A real gateway for a story: configuration written to a folder (SQLite file, approvers' JWKS, API-key hashes, the
 * story's policy file and caps), served over HTTP on 127.0.0.1, with the people around it: the copilot's
 * `HandoffClient`, typed tRPC clients for the approver desk, the operator and the auditor, and approver keys made at
 * run time. Nothing secret is written outside the story's folder, which is gitignored (`.handoff/`).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AutomationAdapter } from '@handoff/automation-adapter';
import {
  generateProvenanceKeyPair,
  HandoffClient,
  type ProvenanceKeyPair,
  type SubmitResult,
  signPlan,
} from '@handoff/copilot-adapter';
import {
  type AppRouter,
  createApprovalToken,
  createGatewayRuntime,
  type GatewayRuntime,
  generateApiKey,
  generateSigningKeyPair,
  hashApiKey,
  loadConfigFile,
  type PlanView,
  type Role,
  type SigningKeyPair,
  startHttpServer,
} from '@handoff/gateway';
import type { HandoffPlan, Money } from '@handoff/protocol';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { consoleSection, freePort, printConsoleLink } from './console-link.js';
import { keepCommands, keepObservability } from './keep-hints.js';
import type { SkipClock } from './skip-clock.js';
import { type StoryDatabase, storyDatabase } from './story-database.js';
import { detail, heading, paint } from './terminal.js';

/** The repository root (examples/shared/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The people who call the gateway, each with one role and its own API key. */
export const STORY_CALLERS = {
  copilot: ['copilot'],
  approverDesk: ['approver'],
  operator: ['operator'],
  /** A second operator: the four eyes a rollback needs by default (the gateway's `rollback.approvals`). */
  opsLead: ['operator'],
  auditor: ['auditor'],
  /** An analytics job that reports outcomes of dispatched plans. */
  reporter: ['reporter'],
} as const satisfies Record<string, readonly Role[]>;
export type StoryCaller = keyof typeof STORY_CALLERS;

/**
 * A monthly cap in EUR for the story's config, in the bank's time zone (Europe/Lisbon): on the whole tenant, or on
 * one adapter when `adapter` is given. `limitMinor` is integer minor units (cents).
 */
export function monthlyEurCap(input: {
  capId: string;
  tenantId: string;
  limitMinor: number;
  adapter?: string;
}) {
  return {
    capId: input.capId,
    tenantId: input.tenantId,
    scope: input.adapter
      ? { type: 'adapter', value: input.adapter }
      : { type: 'tenant', value: input.tenantId },
    period: 'month',
    limit: { amountMinor: input.limitMinor, currency: 'EUR' },
    timeZone: 'Europe/Lisbon',
  };
}

/** An approver: who signs (`sub`), in which role, with which key (its private JWK file is in the story folder). */
export interface StoryApprover {
  sub: string;
  role: string;
  key: SigningKeyPair;
  keyFile: string;
}

/** Options of {@link startStoryGateway}. */
export interface StoryGatewayOptions {
  /** Names the folder: `.handoff/<story>/` at the repository root, wiped at start. */
  story: string;
  gatewayId: string;
  tenantId: string;
  /** The story's policy set (YAML or JSON), by absolute path. */
  policyFile: string;
  /** Budget caps, as the config's `caps` (money in integer minor units). */
  caps: unknown[];
  /** Approvers by name: `sub` and `role` (e.g. `{ finance: { sub: 'f.costa', role: 'finance' } }`). */
  approvers: Record<string, { sub: string; role: string }>;
  clock: SkipClock;
  /** The adapters the gateway dispatches with, and the `fetch` they use. */
  adapters: AutomationAdapter[];
  fetch: typeof fetch;
}

/** A running story gateway and its callers. */
export interface StoryGateway {
  url: string;
  dir: string;
  configFile: string;
  /** Its database: a SQLite file in `dir`, or a fresh PostgreSQL database (`HANDOFF_DATABASE_URL`). */
  database: StoryDatabase;
  gatewayId: string;
  tenantId: string;
  runtime: GatewayRuntime;
  /** The port it listens on (127.0.0.1; the console is at `http://localhost:<port>/console/`). */
  port: number;
  /** API keys by caller (shown only to explore a `--keep` gateway). */
  apiKeys: Record<StoryCaller, string>;
  /** The copilot's client (copilot-adapter). */
  copilot: HandoffClient;
  /** The copilot's provenance key pair (its public JWK is the gateway's `provenance.copilotKeys`). */
  copilotKey: ProvenanceKeyPair;
  /** Every plan signature the copilot made, by plan id (compact JWS, `handoff-plan+jwt`). */
  signatures: Map<string, string>;
  /** Signs a plan with the copilot's key (`signPlan`) and submits it with its signature. */
  submitSigned(plan: HandoffPlan): Promise<SubmitResult>;
  /** Typed tRPC clients of the other callers. */
  api: Record<Exclude<StoryCaller, 'copilot'>, TRPCClient<AppRouter>>;
  approvers: Record<string, StoryApprover>;
  /** Signs an approval of the plan's recommended option by `approver`, up to `maxSpend`. */
  sign(
    view: PlanView,
    approver: string,
    maxSpend: Money,
    claim?: { sub?: string; role?: string },
  ): Promise<string>;
  /** From now on, dispatch on the gateway's own timer, as a served gateway does (for `--keep`). */
  dispatchOnItsOwn(): void;
  stop(): Promise<void>;
}

function trpc(url: string, apiKey: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url, headers: { authorization: `Bearer ${apiKey}` } })],
  });
}

/** Writes the story's gateway folder and config, opens the store and serves the gateway on 127.0.0.1. */
export async function startStoryGateway(options: StoryGatewayOptions): Promise<StoryGateway> {
  const dir = join(REPO_ROOT, '.handoff', options.story);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'keys'), { recursive: true });

  const approvers: Record<string, StoryApprover> = {};
  for (const [name, who] of Object.entries(options.approvers)) {
    const key = await generateSigningKeyPair({ alg: 'EdDSA' });
    const keyFile = join(dir, 'keys', `${name}.private.jwk.json`);
    writeFileSync(keyFile, `${JSON.stringify(key.privateJwk, null, 2)}\n`, { mode: 0o600 });
    approvers[name] = { ...who, key, keyFile };
  }
  const jwks = { keys: Object.values(approvers).map((a) => a.key.publicJwk) };
  writeFileSync(join(dir, 'keys', 'approvers.jwks.json'), `${JSON.stringify(jwks, null, 2)}\n`);

  // The copilot's provenance key: the gateway requires every plan to carry its valid signature.
  const copilotKey = await generateProvenanceKeyPair();
  const copilotJwks = { keys: [copilotKey.publicJwk] };
  writeFileSync(
    join(dir, 'keys', 'copilot.jwks.json'),
    `${JSON.stringify(copilotJwks, null, 2)}\n`,
  );

  // The gateway's checkpoint key: it signs tree heads of the lineage, each also appended to `witness.jsonl`
  // (outside the database). The auditor trusts its public half from `keys/checkpoint.jwks.json`.
  const checkpointKey = await generateSigningKeyPair({
    alg: 'EdDSA',
    kid: `${options.story}-checkpoints`,
  });
  writeFileSync(
    join(dir, 'keys', 'checkpoint.private.jwk.json'),
    `${JSON.stringify(checkpointKey.privateJwk, null, 2)}\n`,
    { mode: 0o600 },
  );
  writeFileSync(
    join(dir, 'keys', 'checkpoint.jwks.json'),
    `${JSON.stringify({ keys: [checkpointKey.publicJwk] }, null, 2)}\n`,
  );

  const apiKeys = {} as Record<StoryCaller, string>;
  const entries = Object.entries(STORY_CALLERS).map(([caller, roles]) => {
    const apiKey = generateApiKey();
    apiKeys[caller as StoryCaller] = apiKey;
    return { id: caller, tenantId: options.tenantId, roles, keyHash: hashApiKey(apiKey) };
  });
  // The port is chosen first so the console's origin (`http://localhost:<port>`) can be configured.
  const port = await freePort();
  const database = await storyDatabase(dir, options.story);
  const config = {
    gatewayId: options.gatewayId,
    database: database.config,
    listen: { host: '127.0.0.1', port },
    console: consoleSection(port),
    // Each approver's key is registered to its identity, tenant and role; the gateway reads its public key from
    // the JWKS file at start-up and pins it in the approver registry.
    approvals: {
      keys: [{ type: 'file', path: 'keys/approvers.jwks.json' }],
      approvers: Object.values(approvers).map((a) => ({
        kid: a.key.kid,
        subject: a.sub,
        tenantId: options.tenantId,
        roles: [a.role],
      })),
    },
    auth: { apiKeys: entries },
    provenance: { copilotKeys: [{ type: 'file', path: 'keys/copilot.jwks.json' }], required: true },
    policy: { file: options.policyFile },
    caps: options.caps,
    checkpoints: { keyFile: 'keys/checkpoint.private.jwk.json', witnessFile: 'witness.jsonl' },
  };
  const configFile = join(dir, 'handoff.config.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);

  const loaded = loadConfigFile(configFile);
  const runtime = await createGatewayRuntime(loaded, {
    clock: options.clock,
    fetch: options.fetch,
    adapters: options.adapters,
    env: database.env,
  });
  // Served without the gateway's own dispatch timer: the story runs the dispatcher itself, step by step.
  const server = await startHttpServer({
    gateway: runtime.gateway,
    authenticator: runtime.authenticator,
    host: '127.0.0.1',
    port,
  });
  const url = server.url;
  const { copilot: copilotApiKey, ...others } = apiKeys;
  const copilot = new HandoffClient({ url, credential: copilotApiKey, clock: options.clock });
  const signatures = new Map<string, string>();
  return {
    url,
    port,
    dir,
    configFile,
    database,
    gatewayId: options.gatewayId,
    tenantId: options.tenantId,
    runtime,
    apiKeys,
    copilot,
    copilotKey,
    signatures,
    submitSigned: async (plan) => {
      const signature = await signPlan(plan, copilotKey.privateJwk, { clock: options.clock });
      signatures.set(plan.planId, signature);
      return copilot.submit(plan, { signature });
    },
    api: {
      approverDesk: trpc(url, others.approverDesk),
      operator: trpc(url, others.operator),
      opsLead: trpc(url, others.opsLead),
      auditor: trpc(url, others.auditor),
      reporter: trpc(url, others.reporter),
    },
    approvers,
    sign: (view, name, maxSpend, claim = {}) => {
      const approver = approvers[name];
      if (!approver) throw new Error(`No approver ${name} in this story`);
      return createApprovalToken(
        {
          iss: 'bank-approvals-desk',
          sub: claim.sub ?? approver.sub,
          aud: options.gatewayId,
          planId: view.planId,
          planDigest: view.digest as `sha256:${string}`,
          optionId: view.recommendedOptionId,
          policyVersion: view.policyVersion,
          decision: 'approve',
          maxSpend,
          role: claim.role ?? approver.role,
        },
        approver.key.privateJwk,
        { clock: options.clock },
      );
    },
    dispatchOnItsOwn: () => runtime.startDispatching(),
    stop: async () => {
      await server.close();
      await runtime.close();
    },
  };
}

/** Every approval role of the story's approvers (what the invited console user may approve as). */
function approvalRoles(gw: StoryGateway): string[] {
  return [...new Set(Object.values(gw.approvers).map((approver) => approver.role))];
}

/**
 * `--keep`: leaves a story's gateway running, dispatching on its own, prints the CLI commands to explore it and
 * keeps serving until Ctrl-C (SIGINT) or SIGTERM; then stops it and `closeOthers` (the fakes).
 */
export async function keepServing(
  gw: StoryGateway,
  planId: string,
  closeOthers: () => Promise<void>,
): Promise<void> {
  gw.dispatchOnItsOwn();
  const dir = relative(REPO_ROOT, gw.dir);
  const db =
    gw.database.location === join(gw.dir, 'gateway.db')
      ? `${dir}/gateway.db`
      : gw.database.location;
  const facts = { url: gw.url, dir, db, planId, apiKeys: gw.apiKeys };
  heading('The gateway keeps running (--keep)');
  detail(`from the repository root, in another terminal:`);
  const [auditorKey, ...commands] = keepCommands(facts);
  detail(paint('bold', auditorKey ?? ''), 4);
  for (const command of commands) detail(command, 4);
  for (const line of keepObservability(facts)) detail(line, 4);
  detail(`approver keys: ${dir}/keys/*.private.jwk.json; config: ${dir}/handoff.config.json`, 4);
  await printConsoleLink(gw.api.operator, gw.port, 'you@bank.example', approvalRoles(gw));
  detail('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gw.stop();
  await closeOthers();
}
