import type { AutomationAdapter } from '@handoff/automation-adapter';
import { canonicalJson } from '@handoff/protocol';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { combineKeySources, createKeySource } from './approvals/key-source.js';
import { registryKeySources } from './approvals/registry-key-source.js';
import { configuredApproverKeys, seedApprovers } from './approvals/seed-approvers.js';
import { sequencerFromConfig, witnessFromConfig } from './audit/checkpoint-config.js';
import type { Sequencer } from './audit/sequencer.js';
import type { Authenticator } from './auth/authenticate.js';
import { parseBudgetCaps } from './budget/cap.js';
import { type Clock, systemClock } from './clock.js';
import type { LoadedConfig } from './config/load-config.js';
import { DEFAULT_CONSOLE } from './console/console-context.js';
import { adaptersFromConfig, privateNetworkAdapters } from './dispatch/adapters-config.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { Gateway } from './gateway.js';
import { type GatewayLogger, loggableError, silentLogger } from './logger.js';
import { DecisionLog } from './observability/decision-log.js';
import { GatewayMetrics } from './observability/metrics.js';
import { storeStateSource } from './observability/metrics-store.js';
import { type RunningTracing, startTracing } from './observability/tracing-setup.js';
import { SYSTEM_ACTOR } from './pipeline/deps.js';
import { toStoredCap } from './pipeline/reserve-budget.js';
import { policyVersion } from './policy/policy-set.js';
import { type PolicyPackParts, policyPackParts } from './policy-pack-runtime.js';
import { DEFAULT_ROLLBACK_POLICY } from './rollback/rollback-policy.js';
import { copilotDirectory, keySourceConfig, runtimeAuthenticator } from './runtime-auth.js';
import { checkStartup } from './startup-checks.js';
import { openStore, selectStoreTarget } from './store/open-store.js';
import type { GatewayStore } from './store/store.js';

/** A gateway wired from configuration: the in-process API, its authenticator and its store. */
export interface GatewayRuntime {
  gateway: Gateway;
  authenticator: Authenticator;
  store: GatewayStore;
  loaded: LoadedConfig;
  /** The outbox dispatcher. Idle until {@link startDispatching}; tests and examples may call `runDue()`. */
  dispatcher: Dispatcher;
  /**
   * Dispatches on its own from now on: after every commit that queues actions, and every `intervalMs`
   * milliseconds (default: `dispatch.intervalMs` from the config, else 250).
   */
  startDispatching(intervalMs?: number, logger?: GatewayLogger): void;
  /**
   * The lineage's batch sequencer (log indexes and one signed tree head per batch), when the config has a
   * `checkpoints` section; `startGateway` runs it.
   */
  sequencer?: Sequencer;
  /** Stops dispatching, closes the store, then releases the database file's writer lock. */
  close(): Promise<void>;
}

/** Options of {@link createGatewayRuntime}: injectable time and HTTP, for tests and examples. */
export interface RuntimeOptions {
  clock?: Clock;
  /** The HTTP client for key URLs and for adapters (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** Adapter instances to dispatch to, instead of those the config's `adapters` section builds. */
  adapters?: readonly AutomationAdapter[];
  /** Where the config's adapters read their secrets. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Told about start-up warnings (e.g. a revoked approver key still listed in the config). Default: silent. */
  logger?: GatewayLogger;
  /**
   * Where spans go when `observability.tracing.enabled`, instead of the configured exporter (tests pass an
   * `InMemorySpanExporter`).
   */
  spanExporter?: SpanExporter;
}

/**
 * First, touching no file: runs `checkStartup` (adapters and their environment variables, key files, the
 * checkpoint key; every problem at its JSON path) and builds the key sources, the authenticator, the caps and the
 * adapters, so a config that cannot start creates no database, folder or lock. Then takes the database file's
 * writer lock, opens the store (applying migrations; closed again, with its WAL worker thread, if anything after
 * fails), builds the gateway, seeds the configured approver keys into the approver registry (see
 * `seedApprovers`), records the active policy version in the lineage when it is new, and seeds configured caps for
 * tenants that have none. Then it recovers the outbox rows a crashed predecessor left in flight (see
 * `recoverInFlight`).
 *
 * One gateway per database file is enforced: the writer lock (`acquireWriterLock`: an OS file lock on
 * `<database>.lock`, freed by the kernel when the holding process ends, even by SIGKILL) is taken before the
 * migrations and before the in-flight recovery, so a second gateway can neither migrate under a running one nor
 * take its in-flight requests for a crash's. It is held until {@link GatewayRuntime.close} (or the process ends),
 * and released when the runtime fails to start. Offline readers (lineage verify, trace, export, the WAL
 * checkpointer) open the database on their own connections and neither take nor wait for it. `:memory:`
 * databases take none.
 *
 * @throws GatewayError `DATABASE_IN_USE` (another gateway holds the file; the message and `details.holder` name
 *   its gateway id, pid, host and since when), `CONFIG_INVALID` (what `checkStartup` finds, bad API key entries,
 *   caps, an approver kid not found in `approvals.keys`), `APPROVER_REGISTRY_CONFLICT` (a configured approver disagrees with its kid's registration),
 *   or the store's open error.
 */
export async function createGatewayRuntime(
  loaded: LoadedConfig,
  options: RuntimeOptions = {},
): Promise<GatewayRuntime> {
  // Every problem the config can show is found before the database file, its folder or its lock exist.
  await checkStartup(loaded, {
    skipAdapters: options.adapters !== undefined,
    ...(options.env ? { env: options.env } : {}),
  });
  // Everything built from the config alone (keys, authenticator, caps, adapters), still before the database.
  const prepared = await prepareRuntime(loaded, options);
  const target = selectStoreTarget(
    loaded.config.database,
    options.env ?? process.env,
    loaded.baseDir,
  );
  let tracing: RunningTracing | undefined;
  try {
    // Off unless configured; registered before anything is served, flushed and unregistered at close.
    tracing = await startTracing(
      loaded.config.observability?.tracing,
      options.spanExporter ? { spanExporter: options.spanExporter } : {},
    );
    // The file (and its folder) is created if missing; on SQLite the file's writer lock is taken before the
    // migrations and in-flight recovery, and released when the store closes (or fails to open).
    const store = await openStore({
      ...target,
      lockAs: { gatewayId: loaded.config.gatewayId, atMs: (options.clock ?? systemClock).now() },
      walCheckpointer: true,
    });
    const runtime = await openRuntime(loaded, options, { ...prepared, store });
    const close = runtime.close;
    const started = tracing;
    return {
      ...runtime,
      close: async () => {
        try {
          await close();
        } finally {
          await started.shutdown();
        }
      },
    };
  } catch (error) {
    await tracing?.shutdown();
    throw error;
  }
}

/** What {@link prepareRuntime} builds from the config before any file is written. */
interface PreparedRuntime {
  adapters: readonly AutomationAdapter[];
  authenticator: Authenticator;
  configuredApprovers: Awaited<ReturnType<typeof configuredApproverKeys>>;
  caps: ReturnType<typeof parseBudgetCaps>;
  pack: PolicyPackParts;
}

/** The parts of a runtime that need the config alone: built before the database is created or locked. */
async function prepareRuntime(
  loaded: LoadedConfig,
  options: RuntimeOptions,
): Promise<PreparedRuntime> {
  const { config } = loaded;
  const clock = options.clock ?? systemClock;
  const keyOptions = { clock, ...(options.fetch ? { fetch: options.fetch } : {}) };
  // approvals.keys is read at start-up only, for the JWKs of configured approvers; approvals are verified with
  // the key pinned in the approver registry.
  const approverKeySets = config.approvals.keys
    ? combineKeySources(
        config.approvals.keys.map((k) => createKeySource(keySourceConfig(loaded, k), keyOptions)),
      )
    : undefined;
  return {
    configuredApprovers: await configuredApproverKeys(
      config.approvals.approvers ?? [],
      approverKeySets,
      clock.now(),
    ),
    authenticator: runtimeAuthenticator(loaded, clock, keyOptions),
    caps: parseBudgetCaps(config.caps ?? []),
    adapters: options.adapters ?? adaptersFromConfig(config.adapters ?? [], options.env),
    pack: policyPackParts(loaded, {
      clock,
      ...(options.env ? { env: options.env } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    }),
  };
}

/** {@link createGatewayRuntime} once the store is open: closes the store (and its lock) if the rest fails. */
async function openRuntime(
  loaded: LoadedConfig,
  options: RuntimeOptions,
  prepared: PreparedRuntime & { store: GatewayStore },
): Promise<GatewayRuntime> {
  try {
    return await openWithStore(loaded, options, prepared);
  } catch (error) {
    // A start that fails leaves no open connection nor WAL worker thread behind.
    await prepared.store.close();
    throw error;
  }
}

/** The rest of {@link openRuntime}, once the store is open; the caller closes the store when this throws. */
async function openWithStore(
  loaded: LoadedConfig,
  options: RuntimeOptions,
  opened: PreparedRuntime & { store: GatewayStore },
): Promise<GatewayRuntime> {
  const { config, policySet } = loaded;
  const { store, adapters, authenticator, configuredApprovers, caps, pack } = opened;
  const clock = options.clock ?? systemClock;
  const keyOptions = { clock, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const copilots = copilotDirectory(config);
  const version = policyVersion(policySet);
  const dispatchConfig = config.dispatch ?? {};
  const metrics =
    config.observability?.metrics?.enabled === false
      ? undefined
      : new GatewayMetrics(storeStateSource(store, clock));
  for (const adapter of privateNetworkAdapters(config.adapters ?? [])) {
    options.logger?.warn(
      { event: 'config.private_networks_allowed', adapter },
      'adapter may send webhooks to loopback and private addresses (allowPrivateNetworks: true)',
    );
  }
  const decisionLog = new DecisionLog(options.logger);
  const dispatcher = new Dispatcher({
    onAttempt: (facts) => {
      decisionLog.dispatchAttempt(facts);
      if (facts.fate === 'dead') {
        const { fate: _fate, ...rest } = facts;
        decisionLog.deadLetter(rest);
      }
    },
    store,
    clock,
    adapters,
    onPause: config.killSwitch?.onPause ?? 'keep',
    ...(pack.suppression
      ? { suppression: { rules: policySet.rules, lookup: pack.suppression } }
      : {}),
    sendWindowRules: policySet.rules,
    ...(metrics ? { metrics } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(dispatchConfig.concurrency ? { concurrency: dispatchConfig.concurrency } : {}),
    ...(dispatchConfig.breakerThreshold
      ? { breakerThreshold: dispatchConfig.breakerThreshold }
      : {}),
    ...(dispatchConfig.leaseMs ? { leaseMs: dispatchConfig.leaseMs } : {}),
    ...(dispatchConfig.recoverEveryMs ? { recoverEveryMs: dispatchConfig.recoverEveryMs } : {}),
    ...(dispatchConfig.breakerHalfOpenAfterMs
      ? { breakerHalfOpenAfterMs: dispatchConfig.breakerHalfOpenAfterMs }
      : {}),
    retry: {
      ...(dispatchConfig.maxAttempts ? { maxAttempts: dispatchConfig.maxAttempts } : {}),
      ...(dispatchConfig.initialDelayMs ? { initialDelayMs: dispatchConfig.initialDelayMs } : {}),
      ...(dispatchConfig.maxDelayMs ? { maxDelayMs: dispatchConfig.maxDelayMs } : {}),
    },
  });
  let autoDispatch = false;
  let onDispatchError: (error: unknown) => void = () => undefined;
  const provenance = config.provenance;
  const witness = witnessFromConfig(loaded);
  const gateway = new Gateway(
    {
      store,
      clock,
      gatewayId: config.gatewayId,
      policy: { set: policySet, version },
      ...pack,
      ...(config.console?.origin ? { consoleOrigin: config.console.origin } : {}),
      approverKeys: registryKeySources(store),
      copilots,
      approvalClockToleranceSec: config.approvals.clockToleranceSec ?? 30,
      onPause: config.killSwitch?.onPause ?? 'keep',
      decisionLog,
      rollback: {
        approvals: config.rollback?.approvals ?? DEFAULT_ROLLBACK_POLICY.approvals,
        withoutApproval:
          config.rollback?.withoutApproval ?? DEFAULT_ROLLBACK_POLICY.withoutApproval,
      },
      ...(config.outcomeGuardrail ? { outcomeGuardrail: config.outcomeGuardrail } : {}),
      reversibleTypes: (id) =>
        adapters.find((a) => a.manifest.id === id)?.manifest.reversibleActionTypes ?? [],
      ...(provenance
        ? {
            provenance: {
              keys: combineKeySources(
                provenance.copilotKeys.map((k) =>
                  createKeySource(keySourceConfig(loaded, k), keyOptions),
                ),
              ),
              required: provenance.required ?? true,
              clockToleranceSec: provenance.clockToleranceSec ?? 30,
            },
          }
        : {}),
      onActionsQueued: () => {
        if (autoDispatch) dispatcher.runDue().catch(onDispatchError);
      },
      ...(witness ? { witness } : {}),
      ...(metrics ? { metrics } : {}),
    },
    {
      rpId: config.console?.rpId ?? DEFAULT_CONSOLE.rpId,
      origin: config.console?.origin ?? DEFAULT_CONSOLE.origin,
      ...(config.console?.maxOpenSignInChallenges
        ? { maxOpenSignInChallenges: config.console.maxOpenSignInChallenges }
        : {}),
    },
  );
  await seedApprovers(store, configuredApprovers, copilots, (kid, tenantId) =>
    options.logger?.warn(
      { tenantId, kid },
      'approvals.approvers lists a revoked approver key: it stays revoked (remove it from the config)',
    ),
  );
  await store.transaction(async (tx) => {
    const now = clock.now();
    await tx.rememberPolicy(version, policySet.id, policySet.version, now);
    await tx.putPayload(version, 'PolicySet', canonicalJson(policySet), now);
    // The shadow set is stored (so its events' refs resolve) but not remembered as an applied policy.
    const shadow = pack.shadowPolicy;
    if (shadow) await tx.putPayload(shadow.version, 'PolicySet', canonicalJson(shadow.set), now);
    for (const tenantId of new Set(caps.map((c) => c.tenantId))) {
      if ((await tx.getCaps(tenantId)).length > 0) continue;
      const seeded = caps.filter((c) => c.tenantId === tenantId).map(toStoredCap);
      await tx.replaceCaps(tenantId, seeded, now);
      await tx.appendLineage([
        {
          tenantId,
          type: 'control.caps_set',
          actor: SYSTEM_ACTOR,
          occurredAt: now,
          data: { source: 'config', count: seeded.length },
        },
      ]);
    }
  });
  // A crash may have left requests in flight: settle them before anything dispatches.
  await dispatcher.recover();
  const sequencer = await sequencerFromConfig(loaded, store, clock, witness);
  return {
    ...(sequencer ? { sequencer } : {}),
    gateway,
    authenticator,
    store,
    loaded,
    dispatcher,
    startDispatching(intervalMs = dispatchConfig.intervalMs ?? 250, logger = silentLogger) {
      autoDispatch = true;
      onDispatchError = (error) => logger.error(loggableError(error), 'dispatch run failed');
      dispatcher.start(intervalMs, onDispatchError);
      dispatcher.runDue().catch(onDispatchError);
    },
    close: async () => {
      await dispatcher.stop();
      await store.close();
    },
  };
}

export { type RunningGateway, startGateway } from './serve-gateway.js';
