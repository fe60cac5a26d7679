import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  exportOpenLineage,
  OPENLINEAGE_SCHEMA_URL,
  runIdOf,
} from '../../src/audit/export-openlineage.js';
import { openStoreReadOnly } from '../../src/store/open-read-only.js';
import { TENANT } from '../support/harness.js';
import { auditedHarness } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The parts of OpenLineage 2-0-2's RunEvent the export must satisfy (required members and facet bases). */
const BaseFacet = z.looseObject({ _producer: z.string().min(1), _schemaURL: z.string().min(1) });
const RunEvent = z.looseObject({
  eventTime: z.iso.datetime({ offset: true }),
  producer: z.string().min(1),
  schemaURL: z.literal(OPENLINEAGE_SCHEMA_URL),
  eventType: z.enum(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER']),
  run: z.object({
    runId: z.string().regex(UUID),
    facets: z.object({
      handoff_plan: BaseFacet.extend({
        planId: z.string(),
        planDigest: z.string(),
        copilot: z.record(z.string(), z.string()),
        approvals: z.array(z.object({ approver: z.string(), role: z.string(), kid: z.string() })),
      }),
    }),
  }),
  job: z.object({ namespace: z.string().min(1), name: z.string().min(1) }),
  inputs: z.array(
    z.object({
      namespace: z.string().min(1),
      name: z.string().min(1),
      inputFacets: z.object({ handoff_input: BaseFacet.extend({ inputId: z.string() }) }),
    }),
  ),
  outputs: z.array(z.object({ namespace: z.string().min(1), name: z.string().min(1) })),
});
let events: z.infer<typeof RunEvent>[];
let planIds: { gated: string; cancelled: string };

beforeAll(async () => {
  const setup = await auditedHarness();
  planIds = setup.planIds;
  await setup.h.close();
  const db = await openStoreReadOnly(join(setup.h.dir, 'gateway.db'));
  const out = join(mkdtempSync(join(tmpdir(), 'handoff-ol-')), 'openlineage.jsonl');
  const summary = await exportOpenLineage(db, out, { tenantId: TENANT });
  await db.close();
  events = readFileSync(out, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => RunEvent.parse(JSON.parse(l)));
  expect(summary).toEqual({ plans: 3, events: 6 });
});

describe('OpenLineage export', () => {
  it('writes RunEvents with the fields OpenLineage 2-0-2 requires (parsed above), one run per plan', () => {
    for (const e of events) {
      expect(e.job).toEqual({ namespace: 'handoff', name: `${TENANT}.term-deposit-q4` });
      expect(e.run.facets.handoff_plan._producer).toBe(e.producer);
    }
    expect(new Set(events.map((e) => e.run.runId)).size).toBe(3);
  });

  it('carries the plan digest, copilot, policy version and approvals in the handoff_plan facet', () => {
    const gated = events.filter((e) => e.run.facets.handoff_plan.planId === planIds.gated);
    expect(gated.map((e) => e.eventType)).toEqual(['START', 'RUNNING']);
    const facet = gated[0]?.run.facets.handoff_plan;
    expect(facet?.planDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(facet?.copilot).toMatchObject({
      model: 'example-planner',
      promptVersion: 'term-deposit-v3',
    });
    expect(facet?.approvals.map((a) => [a.approver, a.role]).sort()).toEqual([
      ['fiona.finance', 'finance'],
      ['mark.lead', 'marketing_lead'],
    ]);
    expect(gated[0]?.inputs[0]).toMatchObject({
      namespace: 'https://doi.org',
      name: '10.24432/C5K306',
      inputFacets: {
        handoff_input: { inputId: 'bank-marketing', sha256: expect.stringMatching(/^sha256:/) },
      },
    });
    expect(gated[1]?.outputs.every((o) => o.namespace.startsWith('handoff-adapter://'))).toBe(true);
    const cancelled = events.filter((e) => e.run.facets.handoff_plan.planId === planIds.cancelled);
    expect(cancelled.map((e) => e.eventType)).toEqual(['START', 'ABORT']);
  });

  it('names runs by plan: a UUID plan id as it is, a ULID as a stable UUIDv8', () => {
    expect(runIdOf(planIds.gated)).toBe(planIds.gated);
    const ulid = '01JD3ZQ9V6KX8S2M4N5P7R9T0W';
    expect(runIdOf(ulid)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(runIdOf(ulid)).toBe(runIdOf(ulid));
    expect(runIdOf(ulid)).not.toBe(runIdOf('01JD3ZQ9V6KX8S2M4N5P7R9T0X'));
  });
});
