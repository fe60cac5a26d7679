/**
 * What `pnpm demo --keep` prints to explore the gateway it leaves running: CLI commands against it, then where its
 * metrics and traces are. Pure (no I/O), so a test can read the lines `keepServing` prints.
 */

/** The CLI, run from the repository root without a build. */
export const KEEP_CLI = 'node packages/gateway/bin/handoff.mjs';

/** What the hints name: the gateway's URL, its folder (relative to the repository root), a plan, API keys. */
export interface KeepFacts {
  url: string;
  /** The story's folder, relative to the repository root: `handoff.config.json`, `witness.jsonl`. */
  dir: string;
  /** The gateway's database as `--db` takes it: its SQLite file (relative to the repository root) or its URL. */
  db: string;
  planId: string;
  apiKeys: { auditor: string; operator: string; copilot: string };
}

/** The CLI commands to run against the kept gateway, in the order printed (the first sets the auditor's key). */
export function keepCommands(f: KeepFacts): string[] {
  const config = `${f.dir}/handoff.config.json`;
  return [
    `export HANDOFF_API_KEY=${f.apiKeys.auditor}   # the auditor's key`,
    `${KEEP_CLI} plan get ${f.planId} --url ${f.url} --api-key ${f.apiKeys.operator}`,
    `${KEEP_CLI} lineage query --url ${f.url} --plan ${f.planId}`,
    `${KEEP_CLI} lineage trace --url ${f.url} --plan ${f.planId}`,
    `${KEEP_CLI} lineage verify --db ${f.db} --config ${config} --against ${f.dir}/witness.jsonl`,
    `${KEEP_CLI} db backup --db ${f.db} --config ${config} --to ${f.dir}/backup.db`,
    `${KEEP_CLI} plan submit <plan.json> --url ${f.url} --api-key ${f.apiKeys.copilot}`,
  ];
}

/** Where the kept gateway's metrics (Prometheus text at `/metrics`) and traces (OpenTelemetry, off unless configured) are. */
export function keepObservability(f: KeepFacts): string[] {
  return [
    `metrics: curl ${f.url}/metrics   # Prometheus text format, no API key`,
    'traces: off unless configured: "observability": { "tracing": { "enabled": true, "exporter": "otlp", ' +
      '"endpoint": "<OTLP/HTTP URL>" } } (or "exporter": "console") in the config of `handoff gateway start`; ' +
      'spans and attributes: packages/gateway/README.md',
  ];
}
