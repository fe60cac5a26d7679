import type { Clock } from './clock.js';
import { type LoadedConfig, resolveConfigPath } from './config/load-config.js';
import { GatewayError } from './errors.js';
import type { GatewayLogger } from './logger.js';
import { Notifier, notificationReceivers } from './notifications/notifier.js';
import { type PolicySet, policyVersion } from './policy/policy-set.js';
import { SuppressionLists } from './policy/suppression-lists.js';

/** The policy pack's parts of a runtime: the shadow policy set, the suppression lists and the notifier. */
export interface PolicyPackParts {
  shadowPolicy?: { set: PolicySet; version: string };
  suppression?: SuppressionLists;
  notifier?: Notifier;
}

/**
 * Builds the policy pack's runtime parts from the config alone (before the database is touched): the
 * `shadowPolicy` set with its version, the `suppressionLists` (each file read now, and again when it changes),
 * and the `notifications` notifier with its receivers' secrets from `env`.
 *
 * @throws GatewayError `CONFIG_INVALID` at `/suppressionLists/<i>/file` (unreadable or a line that is no hex
 *   SHA-256) or `/notifications/receivers/<i>/signingSecretEnv` (unset).
 */
export function policyPackParts(
  loaded: LoadedConfig,
  options: { clock: Clock; env?: NodeJS.ProcessEnv; fetch?: typeof fetch; logger?: GatewayLogger },
): PolicyPackParts {
  const { config } = loaded;
  const parts: PolicyPackParts = {};
  if (loaded.shadowPolicySet) {
    const set = loaded.shadowPolicySet;
    parts.shadowPolicy = { set, version: policyVersion(set) };
  }
  if (config.suppressionLists !== undefined) {
    const lists = new SuppressionLists();
    config.suppressionLists.forEach((entry, index) => {
      try {
        lists.addFile(entry.id, resolveConfigPath(loaded, entry.file));
      } catch (error) {
        const path = `/suppressionLists/${index}/file`;
        const message =
          error instanceof GatewayError
            ? (error.issues[0]?.message ?? error.message)
            : `Cannot read suppression list ${entry.id}`;
        throw new GatewayError('CONFIG_INVALID', message, {
          issues: [{ path, code: 'UNREADABLE', message }],
        });
      }
    });
    parts.suppression = lists;
  }
  const notifications = config.notifications;
  if (notifications !== undefined) {
    parts.notifier = new Notifier({
      receivers: notificationReceivers(notifications, options.env ?? process.env),
      clock: options.clock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(notifications.timeoutMs ? { timeoutMs: notifications.timeoutMs } : {}),
      ...(notifications.budgetWarningPercents
        ? { budgetWarningPercents: notifications.budgetWarningPercents }
        : {}),
    });
  }
  return parts;
}
