import { planDigest } from '@handoff/protocol';
import {
  APPROVER,
  benchGateway,
  COPILOT,
  financeApproval,
  removeDatabase,
} from './bench-gateway.js';
import { type Latency, LatencyRecorder } from './stats.js';
import { benchPlan } from './workload.js';

/** Approval-to-dispatch latency: from a valid approval's arrival to the adapter's first call for its plan. */
export interface ApprovalLatencyResult {
  samples: number;
  latency: Latency;
}

/**
 * A gateway in process with its dispatcher started as `startGateway` starts it (dispatch after every commit that
 * queues actions). For each sample, a plan is submitted and left awaiting approval; then the clock starts, the
 * finance approval is submitted, and the clock stops when the in-memory platform receives the plan's action.
 */
export async function runApprovalLatency(options: {
  samples: number;
  dir: string;
}): Promise<ApprovalLatencyResult> {
  const { path, setup, hubspot, runtime } = await benchGateway(options.dir, 'approval-latency');
  runtime.startDispatching();
  const latency = new LatencyRecorder();
  const now = Date.now();
  for (let i = 0; i < options.samples; i += 1) {
    const plan = benchPlan(i, now, { run: 7 });
    const view = await runtime.gateway.submitPlan(COPILOT, plan);
    const token = await financeApproval(setup, {
      planId: view.planId,
      digest: planDigest(plan),
      policyVersion: view.policyVersion,
    });
    const arrived = new Promise<number>((resolve) => {
      hubspot.onExecute = () => resolve(performance.now());
    });
    const t0 = performance.now();
    await runtime.gateway.submitApproval(APPROVER, token);
    latency.record((await arrived) - t0);
  }
  hubspot.onExecute = undefined;
  await runtime.close();
  removeDatabase(path);
  return { samples: options.samples, latency: latency.summary() };
}
