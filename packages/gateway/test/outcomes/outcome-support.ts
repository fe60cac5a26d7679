import type { OutcomeReport } from '@handoff/protocol';
import { HANDOFF_PROTOCOL_VERSION } from '@handoff/protocol';
import { fixturePlan, TENANT } from '../support/harness.js';

/**
 * An outcome report of the fixture plan's recommended option (conversion_rate, a ratio; 30-day horizon), final
 * unless changed, observed by an analytics job from a CSV export with its digest.
 */
export function outcomeReport(change: Partial<OutcomeReport> = {}): OutcomeReport {
  return {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'OutcomeReport',
    reportId: 'conversions-final',
    tenantId: TENANT,
    planId: fixturePlan().planId,
    observed: { unit: 'ratio', kpi: 'conversion_rate', value: 0.6 },
    observedAt: '2026-12-21T10:00:00Z',
    interim: false,
    observer: { type: 'analytics_job', id: 'crm-nightly' },
    source: {
      uri: 'https://warehouse.acme-bank.example/exports/term-deposit.csv',
      sha256: `sha256:${'ab'.repeat(32)}`,
    },
    ...change,
  };
}
