/**
 * The example copilot's view of the client base: the propensity model fit on the training split, judged on the
 * holdout, and every client ranked by its score, with segments cut from the ranking and each segment's
 * subscription rate observed on the HOLDOUT clients that fall in it (clients the model never saw).
 */
import { documentDigest } from '@handoff/protocol';
import type { BankClient, BankData } from './bank-data.js';
import { type ObservedRate, type RateInterval, rateInterval } from './forecast.js';
import {
  evaluateHoldout,
  fitPropensity,
  type HoldoutEvaluation,
  inHoldout,
  type PropensityModel,
  scoreClient,
} from './propensity-model.js';

/** A client with its model score. */
export interface ScoredClient {
  client: BankClient;
  score: number;
  /** 1 = the likeliest to subscribe. */
  rank: number;
}

/** A contiguous band of the ranking (ranks `fromRank`..`toRank`, inclusive) and what the holdout says of it. */
export interface Segment {
  segmentId: string;
  fromRank: number;
  toRank: number;
  /** How the segment was selected, when not simply by rank (e.g. `poutcome = success`). */
  query?: string;
  clients: ScoredClient[];
  /** Holdout clients in the band and how many subscribed. */
  holdout: ObservedRate;
  /** The band's subscription rate: Beta posterior p10/p50/p90 from `holdout`. */
  rate: RateInterval;
}

/** The fitted model, its holdout evaluation and the ranked client base. */
export interface RankedClients {
  model: PropensityModel;
  /** `sha256:` of the model's weights (RFC 8785), cited by plans as the `propensity-model` input. */
  modelDigest: `sha256:${string}`;
  evaluation: HoldoutEvaluation;
  ranked: ScoredClient[];
  /** Holdout base rate as an observed rate (every holdout client). */
  holdoutBase: ObservedRate;
}

/** Fits on the training split, evaluates on the holdout and ranks every client (ties broken by client id). */
export function rankClients(data: BankData): RankedClients {
  const train = data.clients.filter((c) => !inHoldout(c));
  const holdout = data.clients.filter(inHoldout);
  const model = fitPropensity(train);
  const ranked = data.clients
    .map((client) => ({ client, score: scoreClient(model, client), rank: 0 }))
    .sort((a, b) => b.score - a.score || a.client.clientId - b.client.clientId)
    .map((s, index) => ({ ...s, rank: index + 1 }));
  return {
    model,
    modelDigest: documentDigest(model),
    evaluation: evaluateHoldout(model, holdout),
    ranked,
    holdoutBase: { k: holdout.filter((c) => c.subscribed).length, n: holdout.length },
  };
}

/** The holdout clients among `clients` and how many of them subscribed. */
export function observedRate(clients: readonly ScoredClient[]): ObservedRate {
  const held = clients.filter((s) => inHoldout(s.client));
  return { k: held.filter((s) => s.client.subscribed).length, n: held.length };
}

/** Cuts ranks `fromRank`..`toRank` (1-based, inclusive) into a segment with its holdout rate. */
export function segment(
  ranked: RankedClients,
  segmentId: string,
  fromRank: number,
  toRank: number,
): Segment {
  const clients = ranked.ranked.slice(fromRank - 1, toRank);
  const holdout = observedRate(clients);
  return { segmentId, fromRank, toRank, clients, holdout, rate: rateInterval(holdout) };
}

/** A segment of the clients that match `query` (described in words), whatever their rank. */
export function segmentWhere(
  ranked: RankedClients,
  segmentId: string,
  query: string,
  matches: (client: BankClient) => boolean,
): Segment {
  const clients = ranked.ranked.filter((s) => matches(s.client));
  const holdout = observedRate(clients);
  const ranks = clients.map((s) => s.rank);
  return {
    segmentId,
    fromRank: Math.min(...ranks),
    toRank: Math.max(...ranks),
    query,
    clients,
    holdout,
    rate: rateInterval(holdout),
  };
}
