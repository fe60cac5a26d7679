import { randomUUID } from 'node:crypto';
import { signedWebhookHeaders, type WebhookSigningKey } from '@handoff/automation-adapter';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { GatewayLogger } from '../logger.js';
import {
  DEFAULT_NOTIFY_PERCENTS,
  NOTIFICATION_TYPES,
  type NotificationsConfig,
  type NotificationType,
} from './notifications-config.js';

/**
 * One notification. `data` holds ids, codes and amounts (minor units with their currency) only: never a contact,
 * a token or a payload.
 */
export interface Notification {
  type: NotificationType;
  tenantId: string;
  data: Record<string, string | number | boolean>;
}

/** A receiver ready to send to: its URL, the types it wants and its signing key. */
export interface NotificationReceiver {
  id: string;
  url: string;
  types: readonly NotificationType[];
  signing: WebhookSigningKey;
}

/** Options of {@link Notifier}. */
export interface NotifierOptions {
  receivers: readonly NotificationReceiver[];
  clock: Clock;
  /** The HTTP client (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** Where failed deliveries are logged (receiver id, type, status or error name; never the body). */
  logger?: GatewayLogger;
  /** Per-POST timeout in ms (default 5,000). */
  timeoutMs?: number;
  /** Lines of a cap that notify when crossed (default 80 and 100 %). */
  budgetWarningPercents?: readonly number[];
}

/**
 * Sends notifications as Standard Webhooks-signed JSON POSTs (`{ type, timestamp, data }`, the spec's payload
 * structure; the signing is the webhook adapter's, `signedWebhookHeaders`). `notify` never waits and never throws:
 * call it after the transaction commits; a delivery that fails (network, timeout, non-2xx) is logged and counted
 * in {@link Notifier.counts}, and nothing else changes. One attempt per receiver (no retry).
 */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly #pending = new Set<Promise<void>>();
  #sent = 0;
  #failed = 0;

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  /** The warning lines of a cap that notify (percent of its limit). */
  get budgetWarningPercents(): readonly number[] {
    return this.#options.budgetWarningPercents ?? DEFAULT_NOTIFY_PERCENTS;
  }

  /** Deliveries so far: `sent` (2xx) and `failed`. */
  counts(): { sent: number; failed: number } {
    return { sent: this.#sent, failed: this.#failed };
  }

  /** Queues `notification` to every receiver that wants its type; returns at once. */
  notify(notification: Notification): void {
    for (const receiver of this.#options.receivers) {
      if (!receiver.types.includes(notification.type)) continue;
      const delivery = this.#deliver(receiver, notification).finally(() =>
        this.#pending.delete(delivery),
      );
      this.#pending.add(delivery);
    }
  }

  /** Resolves once every delivery queued so far has ended (for shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #deliver(receiver: NotificationReceiver, notification: Notification): Promise<void> {
    const nowMs = this.#options.clock.now();
    const body = JSON.stringify({
      type: notification.type,
      timestamp: new Date(nowMs).toISOString(),
      data: { tenantId: notification.tenantId, ...notification.data },
    });
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    try {
      const headers = signedWebhookHeaders(
        { id, timestampSec: Math.floor(nowMs / 1000), body },
        receiver.signing,
      );
      const response = await (this.#options.fetch ?? fetch)(receiver.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.#sent += 1;
    } catch (error) {
      this.#failed += 1;
      this.#options.logger?.warn(
        {
          event: 'notification.failed',
          receiver: receiver.id,
          type: notification.type,
          reason: error instanceof Error ? error.message.slice(0, 200) : 'unknown',
        },
        'a notification could not be delivered',
      );
    }
  }
}

/**
 * The receivers of a `notifications` config, with their secrets read from `env`.
 *
 * @throws GatewayError `CONFIG_INVALID` at `/notifications/receivers/<i>/signingSecretEnv` when the variable is
 *   unset (never printing its value).
 */
export function notificationReceivers(
  config: NotificationsConfig,
  env: NodeJS.ProcessEnv,
): NotificationReceiver[] {
  return config.receivers.map((receiver, index) => {
    const secret = env[receiver.signingSecretEnv];
    if (secret === undefined || secret === '') {
      const path = `/notifications/receivers/${index}/signingSecretEnv`;
      const message = `Environment variable ${receiver.signingSecretEnv} is not set`;
      throw new GatewayError('CONFIG_INVALID', message, {
        issues: [{ path, code: 'MISSING_SECRET', message }],
      });
    }
    return {
      id: receiver.id,
      url: receiver.url,
      types: receiver.types ?? NOTIFICATION_TYPES,
      signing: { scheme: 'v1', secret },
    };
  });
}
