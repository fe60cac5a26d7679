import { ManualClock } from '@handoff/gateway';
import { safeParseDocument } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { loadBankData } from '../shared/bank-data.js';
import { rankClients, segment } from '../shared/ranked-clients.js';
import { storyPlan } from './plans.js';

describe('the policy-pack story plans', () => {
  const data = loadBankData();
  const ranked = rankClients(data);
  const clock = new ManualClock('2026-11-23T10:30:00Z');

  test.each(['hubspot', 'google_ads'] as const)(
    'a %s plan is a valid HandoffPlan naming the segment',
    (destination) => {
      const plan = storyPlan({
        clock,
        data,
        ranked,
        segment: segment(ranked, 'wave-1', 1, 40),
        destination,
        targetId: '87101',
        costMinor: 2_000,
        title: 'Call the 40 likeliest clients',
      });
      const parsed = safeParseDocument('HandoffPlan', plan);
      expect(parsed.success).toBe(true);
      const action = plan.options[0]?.actions[0];
      expect(action?.adapter).toBe(destination);
      expect(action && 'contacts' in action.params ? action.params.contacts : []).toHaveLength(40);
    },
  );
});
