import { mkdirSync, writeFileSync } from 'node:fs';
import { planDigest } from '@handoff/protocol';
import { APPROVER, benchGateway, COPILOT, financeApproval } from './bench-gateway.js';
import { appendShapedEvents } from './lineage-bulk.js';
import { benchPlan } from './workload.js';

const dir = '/tmp/lin200k';
mkdirSync(dir, { recursive: true });
const { runtime, setup, path } = await benchGateway(dir, 'x');
const ids = [];
for (let i = 0; i < 20; i++) {
  const plan = benchPlan(i, Date.now(), { run: 11 });
  const view = await runtime.gateway.submitPlan(COPILOT, plan);
  const token = await financeApproval(setup, { ...view, digest: planDigest(plan) });
  await runtime.gateway.submitApproval(APPROVER, token);
  ids.push(plan.planId);
}
await runtime.dispatcher.runDue();
const db = runtime.store.sqlite;
const templates = db
  .prepare('select body from lineage_events where plan_id = ? order by seq')
  .pluck()
  .all(ids[0])
  .map((b) => JSON.parse(b as string));
appendShapedEvents(db, templates, Number(process.env.N ?? 200000), {
  approverKey: setup.finance.privateJwk,
  log: console.log,
});
db.pragma('wal_checkpoint(TRUNCATE)');
await runtime.close();
writeFileSync(
  `${dir}/setup.json`,
  JSON.stringify({ path, ids, publicJwk: setup.finance.publicJwk }),
);
