import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  CopilotIdentitySchema,
  type HandoffPlan,
  LabelSchema,
  safeParseDocument,
} from '../src/index.js';

function fixturePlanForLabels(): HandoffPlan {
  const url = new URL(
    '../conformance/v1/HandoffPlan/valid/term-deposit-two-options.json',
    import.meta.url,
  );
  return JSON.parse(readFileSync(url, 'utf8')) as HandoffPlan;
}

/** The labels a kill switch matches on (copilot vendor, model, model version): ASCII, no look-alikes. */
describe('LabelSchema', () => {
  test.each(['Example Copilot Co', 'example-planner', '2026-10-01', 'gpt-4.1', 'v3:beta_2', 'A'])(
    'accepts %j',
    (label) => {
      expect(LabelSchema.safeParse(label).success).toBe(true);
    },
  );

  test.each([
    ['a non-breaking hyphen (U+2011)', 'example\u2011planner'],
    ['a Cyrillic a (U+0430)', 'ex\u0430mple-planner'],
    ['a no-break space (U+00A0)', 'Example\u00a0Copilot'],
    ['a fullwidth digit', '2026-10-0\uff11'],
    ['a zero-width space', 'example-\u200bplanner'],
    ['a trailing space', 'example-planner '],
    ['a leading separator', '-example'],
    ['a doubled separator', 'example--planner'],
    ['a slash (joins vendor and model)', 'example/planner'],
    ['an at sign (joins model and version)', 'planner@1'],
    ['nothing', ''],
    ['201 characters', 'a'.repeat(201)],
  ])('refuses %s', (_, label) => {
    expect(LabelSchema.safeParse(label).success).toBe(false);
  });

  test('a plan whose copilot model is a look-alike is refused at /copilot/model', () => {
    const plan = fixturePlanForLabels();
    plan.copilot.model = 'example\u2011planner';
    const parsed = safeParseDocument('HandoffPlan', plan);
    expect(parsed.success).toBe(false);
    if (!parsed.success)
      expect(parsed.error.issues).toEqual([
        expect.objectContaining({ code: 'INVALID_FORMAT', path: '/copilot/model' }),
      ]);
    expect(
      CopilotIdentitySchema.safeParse({ ...plan.copilot, model: 'example-planner' }).success,
    ).toBe(true);
  });
});
