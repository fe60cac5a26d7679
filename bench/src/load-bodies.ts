import { planDigest } from '@handoff/protocol';
import { type BenchSetup, benchPolicyVersion, financeApproval } from './bench-gateway.js';
import { LatencyRecorder } from './stats.js';
import { benchPlan } from './workload.js';

/**
 * Request bodies of one HTTP load, made before the run (signing is the approver's work, not the server's), and
 * what the load generator counts while it runs.
 *
 * A copilot submits `batchSize` plans per request: `plans.submitBatch` with `{ plans: [{ plan }, ...] }`, or
 * `plans.submit` with `{ plan }` when `batchSize` is 1. An approver then approves each plan of the batch, one
 * `approvals.submit` request per plan (an approval is a person's decision: it never comes in batches).
 */
export interface LoadBodies {
  batchSize: number;
  /** One body per batch; batch `k` holds plans `k * batchSize` to `(k + 1) * batchSize - 1`. */
  submits: string[];
  /** One body per plan, in plan order. */
  approvals: string[];
  /** The next batch to send (shared by consecutive runs, e.g. the soak's windows). */
  next: number;
  /** Non-2xx answers by status and error code, e.g. `409 APPROVAL_REPLAYED`. */
  refusals: Record<string, number>;
  /** Plans a submit answered as accepted (2xx, and `ok: true` within a batch), and batch items refused. */
  accepted: number;
  itemRefusals: number;
  /** Approvals answered 2xx: plans through the whole pipeline. */
  approved: number;
  /** Latency of each kind of request, from its being built (just before it is sent) to its answer. */
  latency: { submit: LatencyRecorder; approve: LatencyRecorder };
}

/** Prepares `count` plans (rounded down to whole batches) of run `run` and their finance approvals. */
export async function prepareBodies(
  setup: BenchSetup,
  count: number,
  run: number,
  batchSize = 1,
): Promise<LoadBodies> {
  const policyVersion = benchPolicyVersion();
  const now = Date.now();
  const submits: string[] = [];
  const approvals: string[] = [];
  const batches = Math.max(1, Math.floor(count / batchSize));
  for (let k = 0; k < batches; k += 1) {
    const plans = [];
    for (let i = k * batchSize; i < (k + 1) * batchSize; i += 1) {
      const plan = benchPlan(i, now, { run });
      const token = await financeApproval(setup, {
        planId: plan.planId,
        digest: planDigest(plan),
        policyVersion,
      });
      plans.push({ plan });
      approvals.push(JSON.stringify({ token }));
    }
    submits.push(JSON.stringify(batchSize === 1 ? plans[0] : { plans }));
  }
  return {
    batchSize,
    submits,
    approvals,
    next: 0,
    refusals: {},
    accepted: 0,
    itemRefusals: 0,
    approved: 0,
    latency: { submit: new LatencyRecorder(), approve: new LatencyRecorder() },
  };
}

/** Counts a non-2xx answer by its status and the gateway's error code (tRPC envelope or the bare server's). */
export function countRefusal(bodies: LoadBodies, status: number, body: string): void {
  if (status < 300) return;
  const code = /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? 'unknown';
  const key = `${status} ${code}`;
  bodies.refusals[key] = (bodies.refusals[key] ?? 0) + 1;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** Counts the plans a 2xx submit answer accepted and refused (a batch answers `ok` per item). */
export function countSubmitted(bodies: LoadBodies, status: number, body: string): void {
  if (status >= 300) return;
  if (bodies.batchSize === 1) {
    bodies.accepted += 1;
    return;
  }
  bodies.accepted += count(body, '{"ok":true');
  bodies.itemRefusals += count(body, '{"ok":false');
}
