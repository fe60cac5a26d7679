/**
 * A simple, honest propensity model over the clients' PRE-CALL features: smoothed per-level subscription rates
 * combined as naive Bayes log-odds, fit on a training split and judged on a holdout it never saw.
 *
 * Left out, on purpose: `duration` (the last call's length, known only after the call; UCI says to drop it from
 * realistic models), `campaign` (calls made during this very campaign), and `day`/`month` (when the last call was
 * made, a scheduling choice of the past campaign rather than a fact about the client).
 */
import type { BankClient } from './bank-data.js';

/** The features the model reads, each mapped to a level (numbers are binned). */
export const PRE_CALL_FEATURES = {
  age: (c: BankClient) => bin(c.age, [25, 30, 40, 50, 60]),
  job: (c: BankClient) => c.job,
  marital: (c: BankClient) => c.marital,
  education: (c: BankClient) => c.education,
  default: (c: BankClient) => c.default,
  balance: (c: BankClient) => bin(c.balance, [-1, 499, 1999, 9999]),
  housing: (c: BankClient) => c.housing,
  loan: (c: BankClient) => c.loan,
  contact: (c: BankClient) => c.contact,
  pdays: (c: BankClient) => (c.pdays < 0 ? 'never' : bin(c.pdays, [90, 180, 365])),
  previous: (c: BankClient) => bin(c.previous, [0, 1, 3]),
  poutcome: (c: BankClient) => c.poutcome,
} as const satisfies Record<string, (c: BankClient) => string>;

export type FeatureName = keyof typeof PRE_CALL_FEATURES;

/** Columns of the data the model must never read, with why. */
export const EXCLUDED_FEATURES: Readonly<Record<string, string>> = {
  duration: 'length of the last call: known only after the call',
  campaign: 'calls made during this campaign: known only as it unfolds',
  day: 'day of the last call: a scheduling choice of the past campaign',
  month: 'month of the last call: a scheduling choice of the past campaign',
};

function bin(value: number, upperBounds: readonly number[]): string {
  const index = upperBounds.findIndex((bound) => value <= bound);
  if (index === 0) return `<=${upperBounds[0]}`;
  if (index < 0) return `>${upperBounds[upperBounds.length - 1]}`;
  return `${upperBounds[index - 1]}<x<=${upperBounds[index]}`;
}

/** A fitted model: the prior log-odds and, per feature and level, its smoothed log-likelihood ratio. */
export interface PropensityModel {
  priorLogOdds: number;
  /** Laplace smoothing pseudo-count per level and class. */
  alpha: number;
  weights: Record<FeatureName, Record<string, number>>;
  trainSize: number;
}

/** True for clients in the holdout: every fourth row (deterministic, 25 %). */
export function inHoldout(client: Pick<BankClient, 'clientId'>): boolean {
  return client.clientId % 4 === 0;
}

/**
 * Fits the model on `train`: for each feature level, log(P(level | subscribed) / P(level | not)) with `alpha`
 * pseudo-counts per level, so a level unseen in one class gets a finite weight. Levels unseen in training score 0.
 */
export function fitPropensity(train: readonly BankClient[], alpha = 1): PropensityModel {
  const yes = train.filter((c) => c.subscribed).length;
  const no = train.length - yes;
  const weights = {} as Record<FeatureName, Record<string, number>>;
  for (const [name, level] of Object.entries(PRE_CALL_FEATURES) as [
    FeatureName,
    (c: BankClient) => string,
  ][]) {
    const counts = new Map<string, { yes: number; no: number }>();
    for (const client of train) {
      const key = level(client);
      const entry = counts.get(key) ?? { yes: 0, no: 0 };
      if (client.subscribed) entry.yes += 1;
      else entry.no += 1;
      counts.set(key, entry);
    }
    const levels = counts.size;
    weights[name] = {};
    for (const [key, c] of counts) {
      const pYes = (c.yes + alpha) / (yes + alpha * levels);
      const pNo = (c.no + alpha) / (no + alpha * levels);
      weights[name][key] = Math.log(pYes / pNo);
    }
  }
  return { priorLogOdds: Math.log(yes / no), alpha, weights, trainSize: train.length };
}

/** The model's score for a client, in 0..1 (it ranks clients; rates for forecasts come from the holdout). */
export function scoreClient(model: PropensityModel, client: BankClient): number {
  let logOdds = model.priorLogOdds;
  for (const [name, level] of Object.entries(PRE_CALL_FEATURES) as [
    FeatureName,
    (c: BankClient) => string,
  ][]) {
    logOdds += model.weights[name][level(client)] ?? 0;
  }
  return 1 / (1 + Math.exp(-logOdds));
}

/** Area under the ROC curve (Mann-Whitney U with average ranks for ties): 0.5 is chance, 1 is perfect. */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((score, i) => ({ score, label: labels[i] === true }));
  order.sort((a, b) => a.score - b.score);
  let rankSumPositive = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.score === order[i]?.score) j += 1;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k += 1) {
      if (order[k]?.label) {
        rankSumPositive += averageRank;
        positives += 1;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** How the model does on the holdout: AUC, the base rate and the top decile's rate and lift over it. */
export interface HoldoutEvaluation {
  holdoutSize: number;
  subscribers: number;
  auc: number;
  baseRate: number;
  topDecileRate: number;
  topDecileLift: number;
}

/** Evaluates `model` on `holdout` (clients it was not fit on). */
export function evaluateHoldout(
  model: PropensityModel,
  holdout: readonly BankClient[],
): HoldoutEvaluation {
  const scored = holdout.map((c) => ({ score: scoreClient(model, c), subscribed: c.subscribed }));
  const subscribers = scored.filter((s) => s.subscribed).length;
  const baseRate = subscribers / scored.length;
  const top = [...scored].sort((a, b) => b.score - a.score).slice(0, Math.ceil(scored.length / 10));
  const topDecileRate = top.filter((s) => s.subscribed).length / top.length;
  return {
    holdoutSize: scored.length,
    subscribers,
    auc: rocAuc(
      scored.map((s) => s.score),
      scored.map((s) => s.subscribed),
    ),
    baseRate,
    topDecileRate,
    topDecileLift: topDecileRate / baseRate,
  };
}
