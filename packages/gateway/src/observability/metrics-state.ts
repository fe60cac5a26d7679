import { Gauge, type Registry } from 'prom-client';

/** One budget cap's current period, amounts in the currency's major units. */
export interface CapFigures {
  tenant: string;
  cap: string;
  /** The cap's period kind: `day`, `week`, `month` or `total`. */
  period: string;
  currency: string;
  limit: number;
  reserved: number;
  committed: number;
}

/** The stored state the gauges show, read once per scrape. */
export interface StateSnapshot {
  plans: { tenant: string; state: string; count: number }[];
  outbox: { status: string; count: number }[];
  /** Age in seconds of the oldest `pending` or `in_flight` outbox row; 0 when there is none. */
  oldestOutboxAgeSeconds: number;
  caps: CapFigures[];
  killSwitches: { tenant: string; scopeType: string; count: number }[];
}

/** Where the gauges read stored state from (see `storeStateSource`). */
export interface StateSource {
  read(): Promise<StateSnapshot>;
}

/**
 * One read of `source` shared by every gauge of one scrape: prom-client collects all metrics of a scrape at once,
 * so the first gauge starts the read and the others join it; the next scrape reads again.
 */
function sharedRead(source: StateSource): () => Promise<StateSnapshot> {
  let pending: Promise<StateSnapshot> | undefined;
  return () => {
    if (!pending) {
      pending = source.read();
      const forget = () => {
        setImmediate(() => {
          pending = undefined;
        });
      };
      pending.then(forget, forget);
    }
    return pending;
  };
}

type Rows<L extends string> = { labels: Record<L, string>; value: number }[];

/** A gauge whose series are replaced, on each scrape, by what `rows` makes of the snapshot. */
function stateGauge<L extends string>(
  registry: Registry,
  read: () => Promise<StateSnapshot>,
  spec: { name: string; help: string; labelNames: readonly L[] },
  rows: (s: StateSnapshot) => Rows<L>,
): void {
  new Gauge<L>({
    ...spec,
    registers: [registry],
    async collect() {
      const snapshot = await read();
      this.reset();
      for (const row of rows(snapshot))
        this.set(row.labels as Partial<Record<L, string>>, row.value);
    },
  });
}

/**
 * Registers the gauges of stored state on `registry`: plans by tenant and state, outbox rows by status and the
 * age of the oldest waiting row, each budget cap's limit, reserved and committed amounts in its current period,
 * and active kill switches by tenant and scope type (never the scope's value: it may name a workflow).
 */
export function registerStateGauges(registry: Registry, source: StateSource): void {
  const read = sharedRead(source);
  stateGauge(
    registry,
    read,
    {
      name: 'handoff_plans',
      help: 'Stored plans by tenant and state.',
      labelNames: ['tenant', 'state'],
    },
    (s) => s.plans.map((p) => ({ labels: { tenant: p.tenant, state: p.state }, value: p.count })),
  );
  stateGauge(
    registry,
    read,
    {
      name: 'handoff_outbox_rows',
      help: 'Outbox rows by status (pending, in_flight, succeeded, dead, in_doubt, abandoned, ...).',
      labelNames: ['status'],
    },
    (s) => s.outbox.map((o) => ({ labels: { status: o.status }, value: o.count })),
  );
  stateGauge(
    registry,
    read,
    {
      name: 'handoff_outbox_oldest_age_seconds',
      help: 'Age in seconds of the oldest pending or in-flight outbox row (0 when none waits).',
      labelNames: [],
    },
    (s) => [{ labels: {}, value: s.oldestOutboxAgeSeconds }],
  );
  const capLabels = ['tenant', 'cap', 'period', 'currency'] as const;
  const figures: [keyof CapFigures & ('limit' | 'reserved' | 'committed'), string][] = [
    ['limit', 'The limit of a budget cap, in major units of its currency.'],
    [
      'reserved',
      "Amount reserved (held for plans not yet dispatched) in a cap's current period, major units.",
    ],
    [
      'committed',
      "Amount committed (spent by dispatched plans) in a cap's current period, major units.",
    ],
  ];
  for (const [figure, help] of figures) {
    stateGauge(
      registry,
      read,
      { name: `handoff_budget_${figure}_amount`, help, labelNames: capLabels },
      (s) =>
        s.caps.map((c) => ({
          labels: { tenant: c.tenant, cap: c.cap, period: c.period, currency: c.currency },
          value: c[figure],
        })),
    );
  }
  stateGauge(
    registry,
    read,
    {
      name: 'handoff_kill_switches_active',
      help: 'Active kill switches (paused scopes) by tenant and scope type.',
      labelNames: ['tenant', 'scope_type'],
    },
    (s) =>
      s.killSwitches.map((k) => ({
        labels: { tenant: k.tenant, scope_type: k.scopeType },
        value: k.count,
      })),
  );
}
