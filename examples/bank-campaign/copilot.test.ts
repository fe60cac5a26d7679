/**
 * The bank-campaign copilot's model and plans: no post-call feature reaches the score, the holdout is honest, the
 * intervals are ordered, money is integer minor units and every plan validates.
 */
import { validatePlan } from '@handoff/copilot-adapter';
import { ManualClock } from '@handoff/gateway';
import { describe, expect, it } from 'vitest';
import { loadBankData } from '../shared/bank-data.js';
import { rateInterval } from '../shared/forecast.js';
import {
  EXCLUDED_FEATURES,
  fitPropensity,
  inHoldout,
  PRE_CALL_FEATURES,
  rocAuc,
  scoreClient,
} from '../shared/propensity-model.js';
import { rankClients } from '../shared/ranked-clients.js';
import { bankCampaignPlans } from './copilot.js';

const data = loadBankData();
const ranked = rankClients(data);
const plans = bankCampaignPlans(data, ranked, new ManualClock('2026-11-21T09:30:00Z'));
const all = [plans.callList, plans.nurture, plans.successStories, ...plans.waves];

describe('the propensity model', () => {
  it('reads no post-call feature: changing duration, campaign, day or month never moves a score', () => {
    expect(Object.keys(PRE_CALL_FEATURES)).not.toContain('duration');
    expect(Object.keys(EXCLUDED_FEATURES)).toEqual(['duration', 'campaign', 'day', 'month']);
    for (const client of data.clients.slice(0, 200)) {
      const changed = {
        ...client,
        duration: client.duration + 900,
        campaign: 40,
        day: 1,
        month: 'dec',
      };
      expect(scoreClient(ranked.model, changed)).toBe(scoreClient(ranked.model, client));
    }
  });

  it('is fit on the training split only and judged on the disjoint holdout', () => {
    const holdout = data.clients.filter(inHoldout);
    expect(ranked.model.trainSize + holdout.length).toBe(data.clients.length);
    expect(ranked.evaluation.holdoutSize).toBe(holdout.length);
    const refit = fitPropensity(data.clients.filter((c) => !inHoldout(c)));
    expect(refit).toEqual(ranked.model);
    expect(ranked.evaluation.auc).toBeGreaterThan(0.6);
  });

  it('computes ROC AUC as the Mann-Whitney statistic, ties counting half', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5);
  });
});

describe('forecast intervals', () => {
  it('orders p10 <= p50 <= p90 and moves up with more successes', () => {
    const low = rateInterval({ k: 2, n: 40 });
    const high = rateInterval({ k: 20, n: 40 });
    for (const r of [low, high]) {
      expect(r.p10).toBeLessThanOrEqual(r.p50);
      expect(r.p50).toBeLessThanOrEqual(r.p90);
    }
    expect(high.p50).toBeGreaterThan(low.p90);
    expect(() => rateInterval({ k: 5, n: 4 })).toThrow(RangeError);
  });
});

describe('the plans', () => {
  it('all validate, with 2 or 3 options each', () => {
    for (const plan of all) {
      expect(validatePlan(plan)).toMatchObject({ ok: true });
      expect(plan.options.length).toBeGreaterThanOrEqual(2);
      expect(plan.options.length).toBeLessThanOrEqual(3);
    }
  });

  it('state money as integer minor units and forecasts in order', () => {
    for (const option of all.flatMap((p) => p.options)) {
      const amounts = [option.budget.amount, ...option.actions.map((a) => a.estimatedCost)];
      for (const m of amounts) expect(Number.isSafeInteger(m.amountMinor)).toBe(true);
      expect(option.forecast.p10).toBeLessThanOrEqual(option.forecast.p50);
      expect(option.forecast.p50).toBeLessThanOrEqual(option.forecast.p90);
    }
  });

  it('price calls from the stated cost per call (EUR 6.00) and count the listed contacts', () => {
    const call = plans.callList.options[0];
    const enroll = call?.actions.find((a) => a.type === 'enroll_in_workflow');
    expect(enroll?.type === 'enroll_in_workflow' && enroll.params.contacts.length).toBe(90);
    expect(enroll?.estimatedCost).toEqual({ amountMinor: 90 * 600, currency: 'EUR' });
  });

  it('cite the data by the sha256 of the file and the model by its digest', () => {
    for (const plan of all) {
      expect(plan.inputs.find((i) => i.inputId === 'bank-marketing')?.sha256).toBe(data.sha256);
      expect(plan.inputs.find((i) => i.inputId === 'propensity-model')?.sha256).toBe(
        ranked.modelDigest,
      );
    }
  });
});
