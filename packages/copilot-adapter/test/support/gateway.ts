import { startHttpServer } from '@handoff/gateway';
import { createHarness, defaultCaps, type Harness } from '../../../gateway/test/support/harness.js';

/** A real gateway (the gateway package's test harness) served over HTTP on 127.0.0.1. */
export interface ServedGateway {
  harness: Harness;
  /** Base URL of the tRPC endpoint, e.g. `http://127.0.0.1:51234`. */
  url: string;
  close(): Promise<void>;
}

/** The harness's caps with room for many plans: EUR 1,000,000.00 a month for the tenant and for each adapter cap. */
function roomyCaps(): unknown[] {
  return defaultCaps().map((cap) => ({
    ...(cap as object),
    limit: { amountMinor: 100_000_000, currency: 'EUR' },
  }));
}

/**
 * Starts the harness gateway (frozen clock 2026-11-21T09:30:00Z, tenant `acme-bank`, approvals by finance and
 * marketing lead from EUR 500.00, roomy EUR caps so every test plan holds budget), with the config's
 * `provenance` section when given, and serves it with `startHttpServer`.
 */
export async function serveGateway(
  options: { provenance?: Record<string, unknown> } = {},
): Promise<ServedGateway> {
  const harness = await createHarness({ caps: roomyCaps(), ...options });
  const server = await startHttpServer({
    gateway: harness.gateway,
    authenticator: harness.runtime.authenticator,
  });
  return {
    harness,
    url: server.url,
    close: async () => {
      await server.close();
      await harness.close();
    },
  };
}

/** Approves a plan as finance and marketing lead, in process (what an approvals app would do over HTTP). */
export async function approveFully(
  gw: ServedGateway,
  view: { planId: string; digest: string; policyVersion: string; recommendedOptionId: string },
): Promise<void> {
  const { harness } = gw;
  const approver = harness.callers.approver.principal;
  const finance = await harness.sign(view, {
    key: harness.keys.finance,
    sub: 'fiona.finance',
    role: 'finance',
  });
  await harness.gateway.submitApproval(approver, finance);
  const lead = await harness.sign(view, {
    key: harness.keys.marketing,
    sub: 'mark.lead',
    role: 'marketing_lead',
  });
  await harness.gateway.submitApproval(approver, lead);
}

/** A clock that only moves when told, and a sleep that moves it instead of waiting. */
export function fakeTime(startIso = '2026-11-21T09:30:00Z') {
  let now = Date.parse(startIso);
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}
