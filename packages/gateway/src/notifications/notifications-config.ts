import { IdentifierSchema } from '@handoff/protocol';
import { z } from 'zod';
import { EnvNameSchema } from '../dispatch/adapter-config-fields.js';

/**
 * Notification types a receiver can subscribe to. `budget.warning`: a cap crossed a warning line;
 * `approval.waiting`: a plan arrived awaiting approval (the roles asked, its deadline); `approval.escalated`: a
 * gate's deadline passed and its backup roles may now approve. Approval notices link to the plan's console page
 * when `console.origin` is configured.
 */
export const NOTIFICATION_TYPES = [
  'budget.warning',
  'approval.waiting',
  'approval.escalated',
] as const;
/** See {@link NOTIFICATION_TYPES}. */
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** The warning lines when `notifications.budgetWarningPercents` is absent: 80 % and 100 % of a cap. */
export const DEFAULT_NOTIFY_PERCENTS: readonly number[] = [80, 100];

/** A receiver URL: `https:`, or `http:` on a loopback host (for local receivers and tests). */
const ReceiverUrlSchema = z.url().refine(
  (url) => {
    const { protocol, hostname } = new URL(url);
    return (
      protocol === 'https:' ||
      (protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname))
    );
  },
  { message: 'A receiver URL is https (http only on localhost, 127.0.0.1 or [::1])' },
);

/**
 * `notifications`: where the gateway POSTs notifications, each signed as a Standard Webhook
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md) with the
 * receiver's `whsec_` secret, read from the environment variable `signingSecretEnv` (never from the file).
 *
 * - `receivers`: 1..20, each with an `id`, a `url` and `types` it wants (default every type);
 * - `budgetWarningPercents`: the lines of a cap that notify when a plan's reservation crosses them (default 80 and
 *   100);
 * - `timeoutMs`: how long one POST may take (default 5,000 ms).
 *
 * Notifications carry ids, codes and amounts only: never contacts, tokens or plan payloads. They are sent after
 * the transaction commits; a failed POST is logged and counted and changes nothing.
 */
export const NotificationsConfigSchema = z.strictObject({
  receivers: z
    .array(
      z.strictObject({
        id: IdentifierSchema,
        url: ReceiverUrlSchema,
        signingSecretEnv: EnvNameSchema,
        types: z.array(z.enum(NOTIFICATION_TYPES)).min(1).optional(),
      }),
    )
    .min(1)
    .max(20),
  budgetWarningPercents: z.array(z.int().min(1).max(100)).min(1).max(10).optional(),
  timeoutMs: z.int().min(100).max(60_000).optional(),
});
/** See {@link NotificationsConfigSchema}. */
export type NotificationsConfig = z.infer<typeof NotificationsConfigSchema>;
