import type { LineageEventDraft } from '../src/index.js';

/** A small event draft of tenant `acme`, of plan `planId` when given (a tenant event otherwise). */
export function draft(
  type: LineageEventDraft['type'],
  planId?: string,
  data: LineageEventDraft['data'] = {},
): LineageEventDraft {
  return {
    protocolVersion: '1.0',
    kind: 'LineageEvent',
    occurredAt: '2026-12-07T18:00:00.000Z',
    tenantId: 'acme',
    ...(planId === undefined ? {} : { planId }),
    type,
    actor: { type: 'system', id: 'gateway' },
    refs: {},
    data,
  };
}
