import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutomationAdapter } from '@handoff/automation-adapter';
import { type ErrorEnvelope, ErrorEnvelopeSchema, type Money } from '@handoff/protocol';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { expect } from 'vitest';
import { type AppRouter, appRouter } from '../../src/api/router.js';
import { createCallerFactory, toEnvelope } from '../../src/api/trpc.js';
import { createApprovalToken } from '../../src/approvals/create-approval.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.js';
import { type Principal, ROLES, type Role } from '../../src/auth/principal.js';
import { ManualClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/load-config.js';
import type { GatewayLogger } from '../../src/logger.js';
import { createGatewayRuntime, type RunningGateway, startGateway } from '../../src/runtime.js';
import {
  approverEntry,
  defaultCaps,
  fixturePolicy,
  OTHER_TENANT,
  TENANT,
} from '../support/harness.js';
import { optionBudget } from '../support/option-budget.js';

/** The maxSpend a test signs for an option its plan does not have. */
const EUR_1000: Money = { amountMinor: 100_000, currency: 'EUR' };

export const GATEWAY_ID = 'gw-http';

/** A caller with its API key (the only thing that crosses the wire) and the principal it stands for. */
export interface HttpCaller {
  apiKey: string;
  principal: Principal;
}

type CallersOf = Record<Role, HttpCaller>;

function makeCallers(tenantId: string, prefix: string): CallersOf {
  const entries = ROLES.map((role) => {
    const apiKey = generateApiKey();
    const principal: Principal = {
      id: `${prefix}-${role}`,
      tenantId,
      roles: [role],
      via: 'api_key',
    };
    return [role, { apiKey, principal }] as const;
  });
  return Object.fromEntries(entries) as CallersOf;
}

/** Options of {@link startHttpGateway}. */
export interface HttpGatewayOptions {
  maxBodyBytes?: number;
  /** Extra API key callers (e.g. one principal holding copilot and approver), by name. */
  extraCallers?: Record<string, { id: string; tenantId: string; roles: Role[] }>;
  /** The config's caps (default: `defaultCaps()` for acme-bank, its tenant cap for globex). */
  caps?: unknown[];
  /** Adapters the runtime's dispatcher sends to (none by default); drive it with `runtime.dispatcher.runDue()`. */
  adapters?: readonly AutomationAdapter[];
  /** The config's `dispatch` section (retries, circuit breaker). */
  dispatch?: Record<string, number>;
  /** The config's `checkpoints` section (key file, witness file: absolute paths). */
  checkpoints?: Record<string, unknown>;
  /** The config's `observability` section. */
  observability?: Record<string, unknown>;
  /** The config's `console` section. */
  console?: Record<string, unknown>;
  /** Where the gateway logs (start-up warnings, refusals, the decision log). Default: nowhere. */
  logger?: GatewayLogger;
  /** Where spans go when tracing is enabled (e.g. an `InMemorySpanExporter`). */
  spanExporter?: SpanExporter;
}

/**
 * A gateway wired from configuration exactly as `handoff gateway start` wires it (`createGatewayRuntime` then
 * `startGateway`, listening on 127.0.0.1, port 0), on a private SQLite file with a frozen clock
 * (2026-11-21T09:30:00Z). Every role has an API key in two tenants, `acme-bank` and `globex`. Registered approver
 * keys: `finance` -> `fiona.finance` [finance] and `marketing` -> `mark.lead` [marketing_lead] in acme-bank,
 * `globexFinance` -> `gina.globex` [finance, marketing_lead] in globex.
 */
export async function startHttpGateway(options: HttpGatewayOptions = {}) {
  const clock = new ManualClock('2026-11-21T09:30:00Z');
  const finance = await generateSigningKeyPair({ alg: 'EdDSA' });
  const marketing = await generateSigningKeyPair({ alg: 'ES256' });
  const globexFinance = await generateSigningKeyPair({ alg: 'EdDSA' });
  const acme = makeCallers(TENANT, 'acme');
  const globex = makeCallers(OTHER_TENANT, 'globex');
  const extra: Record<string, HttpCaller> = Object.fromEntries(
    Object.entries(options.extraCallers ?? {}).map(([name, p]) => [
      name,
      { apiKey: generateApiKey(), principal: { ...p, via: 'api_key' as const } },
    ]),
  );
  const dir = mkdtempSync(join(tmpdir(), 'handoff-http-'));
  const callerList = [...Object.values(acme), ...Object.values(globex), ...Object.values(extra)];
  const apiKeys = callerList.map((c) => ({
    id: c.principal.id,
    tenantId: c.principal.tenantId,
    roles: [...c.principal.roles],
    keyHash: hashApiKey(c.apiKey),
  }));
  const loaded = validateConfig(
    {
      gatewayId: GATEWAY_ID,
      database: { path: join(dir, 'gateway.db') },
      listen: {
        host: '127.0.0.1',
        port: 0,
        ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
      },
      approvals: {
        approvers: [
          approverEntry(finance, 'fiona.finance', ['finance']),
          approverEntry(marketing, 'mark.lead', ['marketing_lead']),
          approverEntry(globexFinance, 'gina.globex', ['finance', 'marketing_lead'], OTHER_TENANT),
        ],
      },
      auth: { apiKeys },
      policy: { inline: fixturePolicy() },
      ...(options.dispatch ? { dispatch: options.dispatch } : {}),
      ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
      ...(options.observability ? { observability: options.observability } : {}),
      ...(options.console ? { console: options.console } : {}),
      caps: options.caps ?? [
        ...defaultCaps(),
        {
          ...(defaultCaps()[0] as object),
          tenantId: OTHER_TENANT,
          scope: { type: 'tenant', value: OTHER_TENANT },
        },
      ],
    },
    dir,
  );
  const runtime = await createGatewayRuntime(loaded, {
    clock,
    ...(options.adapters ? { adapters: options.adapters } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
  });
  const running: RunningGateway = await startGateway(
    runtime,
    options.logger ? { logger: options.logger } : {},
  );

  /** Signs an approval (or, with `decision`, a rejection) of a plan view as `sub` in `role`, allowing the option's budget. */
  async function sign(
    view: { planId: string; digest: string; policyVersion: string; recommendedOptionId: string },
    input: {
      key: SigningKeyPair;
      sub: string;
      role: string;
      maxSpend?: Money;
      decision?: 'approve' | 'reject';
      comment?: string;
    },
  ): Promise<string> {
    const optionId = view.recommendedOptionId;
    return createApprovalToken(
      {
        iss: 'approvals-app',
        sub: input.sub,
        aud: GATEWAY_ID,
        planId: view.planId,
        planDigest: view.digest as `sha256:${string}`,
        optionId,
        policyVersion: view.policyVersion,
        decision: input.decision ?? 'approve',
        maxSpend: input.maxSpend ?? (await optionBudget(runtime.store, view, optionId, EUR_1000)),
        role: input.role,
        ...(input.comment === undefined ? {} : { comment: input.comment }),
      },
      input.key.privateJwk,
      { clock },
    );
  }

  return {
    url: running.server.url,
    runtime,
    gateway: runtime.gateway,
    authenticator: runtime.authenticator,
    store: runtime.store,
    clock,
    callers: { acme, globex, extra },
    keys: { finance, marketing, globexFinance },
    sign,
    close: async () => {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type HttpGateway = Awaited<ReturnType<typeof startHttpGateway>>;

/** A typed tRPC client over HTTP, sending `Authorization: Bearer <credential>` when one is given. */
export function httpClient(url: string, credential?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url,
        headers: () => (credential ? { authorization: `Bearer ${credential}` } : {}),
      }),
    ],
  });
}

/** The HTTP answer of a raw call: status, parsed JSON body and, for an error, its validated envelope. */
export interface RawAnswer {
  status: number;
  body: unknown;
  envelope: ErrorEnvelope | undefined;
}

/**
 * Calls a procedure with plain `fetch`, as any non-TypeScript client would: a query is `GET /<path>?input=<json>`,
 * a mutation `POST /<path>` with the JSON input as body. `body` overrides the mutation body (raw text or bytes),
 * `contentType` its `content-type` (default `application/json`).
 */
export async function rawCall(
  url: string,
  path: string,
  call: {
    type: 'query' | 'mutation';
    input?: unknown;
    credential?: string;
    body?: string | Uint8Array<ArrayBuffer>;
    contentType?: string;
  },
): Promise<RawAnswer> {
  const headers: Record<string, string> = call.credential
    ? { authorization: `Bearer ${call.credential}` }
    : {};
  const response =
    call.type === 'query'
      ? await fetch(
          `${url}/${path}${call.input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(call.input))}`}`,
          { headers },
        )
      : await fetch(`${url}/${path}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': call.contentType ?? 'application/json' },
          body: call.body ?? JSON.stringify(call.input ?? {}),
        });
  const body = (await response.json()) as {
    error?: { data?: { handoff?: unknown; httpStatus?: number } };
  };
  const handoff = body.error?.data?.handoff;
  const envelope = handoff === undefined ? undefined : ErrorEnvelopeSchema.parse(handoff);
  if (body.error) expect(body.error.data?.httpStatus).toBe(response.status);
  return { status: response.status, body, envelope };
}

/** The validated envelope a `@trpc/client` call was refused with (fails the test when it was not refused). */
export async function refusal(
  promise: Promise<unknown>,
): Promise<ErrorEnvelope & { status: number }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<AppRouter>).data as
      | { handoff?: unknown; httpStatus: number }
      | undefined;
    return { ...ErrorEnvelopeSchema.parse(data?.handoff), status: data?.httpStatus ?? 0 };
  }
  throw new Error('Expected the call to be refused');
}

/** The envelope and HTTP status an in-process caller's call was refused with (fails the test when it was not). */
export async function callerRefusal(
  promise: Promise<unknown>,
): Promise<ErrorEnvelope & { status: number }> {
  const error = await promise.then(
    () => expect.unreachable('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  return { ...toEnvelope(trpcError), status: getHTTPStatusCodeFromError(trpcError) };
}

const createCaller = createCallerFactory(appRouter);

/**
 * The in-process caller (`createCallerFactory(appRouter)`) of `gw` as each caller: `Authorization: Bearer <its
 * API key>`, none without a caller, or what `authorization` makes of the caller.
 */
export function inProcessCallers(
  gw: HttpGateway,
  authorization?: (c: HttpCaller | undefined) => string,
) {
  return (c: HttpCaller | undefined) =>
    createCaller({
      gateway: gw.gateway,
      authenticator: gw.authenticator,
      authorization: authorization ? authorization(c) : c && `Bearer ${c.apiKey}`,
    });
}
