import type {
  AutomationAdapter,
  ExecuteContext,
  ExecuteReceipt,
} from '@handoff/automation-adapter';
import type { Action } from '@handoff/protocol';

/**
 * An automation platform in memory: applies each action once per idempotency key (as a platform that dedupes
 * does), answers at once, and tells `onExecute` the moment each call arrives (for approval-to-dispatch latency).
 */
export class MemoryAdapter implements AutomationAdapter {
  readonly manifest;
  readonly applied = new Map<string, number>();
  calls = 0;
  onExecute: ((action: Action, key: string) => void) | undefined;

  constructor(id: 'hubspot' | 'customerio') {
    this.manifest = {
      id,
      platform: `${id} (in memory)`,
      actionTypes: ['enroll_in_workflow', 'trigger_broadcast'] as const,
      idempotency: 'platform_key' as const,
      supportsDryRun: false,
      supportsStatus: false,
      supportsCancel: false,
      rateLimits: [],
      docs: [],
    };
  }

  validate() {
    return { ok: true as const };
  }

  async execute(action: Action, ctx: ExecuteContext): Promise<ExecuteReceipt> {
    this.calls += 1;
    this.onExecute?.(action, ctx.idempotencyKey);
    this.applied.set(ctx.idempotencyKey, (this.applied.get(ctx.idempotencyKey) ?? 0) + 1);
    return { status: 'succeeded', platformRef: `mem-${this.calls}` };
  }

  /** Actions applied more than once (there must be none). */
  duplicates(): number {
    return [...this.applied.values()].filter((n) => n > 1).length;
  }
}

/** The two in-memory platforms the benchmark plans name: HubSpot (option 1) and Customer.io (option 2). */
export function memoryAdapters(): { hubspot: MemoryAdapter; all: MemoryAdapter[] } {
  const hubspot = new MemoryAdapter('hubspot');
  return { hubspot, all: [hubspot, new MemoryAdapter('customerio')] };
}
