/**
 * The local stand-ins of the automation platforms a story dispatches to: the automation-adapter package's fakes of
 * HubSpot, Customer.io and Braze and its Standard Webhooks receiver, each served over HTTP on 127.0.0.1, with
 * credentials made at run time, and the reference adapters pointed at them.
 */
import { randomBytes } from 'node:crypto';
import {
  type AutomationAdapter,
  createBrazeAdapter,
  createCustomerIoAdapter,
  createHubSpotAdapter,
  createWebhookAdapter,
} from '@handoff/automation-adapter';
import {
  type BrazeFake,
  type CustomerIoFake,
  createBrazeFake,
  createCustomerIoFake,
  createHubSpotFake,
  createWebhookFake,
  type FakePlatform,
  type HubSpotFake,
  type ServedFake,
  serveFake,
} from '@handoff/automation-adapter/testing';

/** What to start; a platform left out is not started. Ids are the platform's own object ids. */
export interface PlatformsOptions {
  /** The shared clock (epoch ms): fakes use it for rate windows and throttles, so skipping time reaches them. */
  now: () => number;
  hubspot?: { workflowIds: readonly string[] };
  customerio?: { broadcastIds: readonly string[] };
  braze?: { canvasIds: readonly string[]; campaignIds: readonly string[] };

  /** A public-looking HTTPS origin the plans name (e.g. `https://hooks.bank.example`), served locally. */
  webhook?: { origin: string };
}

/** The running fakes, their local URLs, the adapters for the gateway and a `fetch` that reaches them. */
export interface Platforms {
  hubspot?: HubSpotFake;
  customerio?: CustomerIoFake;
  braze?: BrazeFake;
  webhook?: FakePlatform;
  /** Local URL of each served fake, by adapter id. */
  urls: Record<string, string>;
  adapters: AutomationAdapter[];
  /**
   * The global `fetch`, except that requests to a served fake's public origin (the webhook receiver's, which a plan
   * names) go to its 127.0.0.1 port. Nothing leaves the machine.
   */
  fetch: typeof fetch;
  close(): Promise<void>;
}

const secret = () => randomBytes(24).toString('base64url');

/** Starts the fakes asked for, each on a free 127.0.0.1 port, and builds their adapters. */
export async function startPlatforms(options: PlatformsOptions): Promise<Platforms> {
  const served: ServedFake[] = [];
  const routes = new Map<string, string>();
  const urls: Record<string, string> = {};
  const adapters: AutomationAdapter[] = [];
  const platforms: Omit<Platforms, 'fetch' | 'close'> = { urls, adapters };
  async function serve(id: string, fake: FakePlatform): Promise<string> {
    const running = await serveFake(fake.handlers, fake.baseUrl);
    served.push(running);
    urls[id] = running.url;
    return running.url;
  }

  if (options.hubspot) {
    const accessToken = `pat-eu1-${secret()}`;
    const fake = createHubSpotFake({
      accessToken,
      now: options.now,
      workflowIds: options.hubspot.workflowIds,
      rateLimit: { perTenSeconds: 190 },
    });
    const baseUrl = await serve('hubspot', fake);
    adapters.push(createHubSpotAdapter({ accessToken, baseUrl, tier: 'professional' }));
    platforms.hubspot = fake;
  }
  if (options.customerio) {
    const credentials = { siteId: secret(), trackApiKey: secret(), appApiKey: secret() };
    const fake = createCustomerIoFake({
      ...credentials,
      now: options.now,
      region: 'eu',
      broadcastIds: options.customerio.broadcastIds,
    });
    const url = await serve('customerio', fake);
    adapters.push(
      createCustomerIoAdapter({ ...credentials, region: 'eu', baseUrls: { track: url, app: url } }),
    );
    platforms.customerio = fake;
  }
  if (options.braze) {
    const apiKey = secret();
    const fake = createBrazeFake({
      apiKey,
      now: options.now,
      knownCanvases: options.braze.canvasIds,
      knownCampaigns: options.braze.campaignIds,
    });
    const url = await serve('braze', fake);
    adapters.push(createBrazeAdapter({ restEndpoint: url, apiKey }));
    platforms.braze = fake;
  }
  if (options.webhook) {
    const signing = {
      scheme: 'v1' as const,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
    };
    const fake = createWebhookFake({
      baseUrl: options.webhook.origin,
      secret: signing.secret,
      now: options.now,
    });
    routes.set(new URL(options.webhook.origin).origin, await serve('webhook', fake));
    adapters.push(createWebhookAdapter({ signing }));
    platforms.webhook = fake;
  }

  const routed: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const local = routes.get(url.origin);
    if (local === undefined) return fetch(input, init);
    return fetch(`${local}${url.pathname}${url.search}`, init);
  };
  return {
    ...platforms,
    fetch: routed,
    close: async () => {
      await Promise.all(served.map((s) => s.close()));
    },
  };
}
