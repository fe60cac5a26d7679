import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HandoffPlan } from '@handoff/protocol';

const here = new URL('.', import.meta.url).pathname;
const CORPORA = ['v1', 'v1.1'].map((folder) =>
  join(here, '../../../protocol/conformance', folder, 'HandoffPlan'),
);
const MODEL_OUTPUTS = join(here, '../fixtures/model-outputs');

/** The text of a recorded model output under `test/fixtures/model-outputs/`. */
export function modelOutput(name: string): string {
  return readFileSync(join(MODEL_OUTPUTS, name), 'utf8');
}

/** Every recorded model output file name. */
export function modelOutputNames(): string[] {
  return readdirSync(MODEL_OUTPUTS).sort();
}

/**
 * A fresh copy of the reference plan of the fixtures, in contract form: Acme Bank's dormant card reactivation,
 * two EUR options (560.00 a month, recommended; 90.00 in total), created 2026-11-21T08:55:12Z, expiring 7 days on.
 */
export function cardPlan(): HandoffPlan {
  return JSON.parse(readFileSync(join(here, '../fixtures/plans/card-reactivation.json'), 'utf8'));
}

/** {@link cardPlan} with its recommended option only, as several recorded outputs have it. */
export function singleOptionCardPlan(): HandoffPlan {
  const plan = cardPlan();
  const [first] = plan.options;
  if (first === undefined) throw new Error('the fixture has options');
  return { ...plan, options: [first] };
}

/** The files of one folder of every corpus (1.0 and 1.1), parsed, by file name. */
function corpusFiles<T>(folder: 'valid' | 'invalid'): [string, T][] {
  return CORPORA.flatMap((corpus) =>
    readdirSync(join(corpus, folder))
      .sort()
      .map((name): [string, T] => [
        name,
        JSON.parse(readFileSync(join(corpus, folder, name), 'utf8')),
      ]),
  );
}

/** The valid plans of the protocol's conformance corpora (1.0 and 1.1), by file name. */
export function conformancePlans(): [string, HandoffPlan][] {
  return corpusFiles<HandoffPlan>('valid');
}

/** An invalid conformance fixture: the document and the `{ code, path }` issues it must yield. */
export interface InvalidFixture {
  description: string;
  expected: { code: string; path: string }[];
  document: unknown;
}

/** The invalid plans of the protocol's conformance corpora (1.0 and 1.1), by file name. */
export function conformanceInvalid(): [string, InvalidFixture][] {
  return corpusFiles<InvalidFixture>('invalid');
}

/** The digest test vectors of the conformance corpora: file name -> `sha256:<hex>`. */
export function conformanceDigests(): Record<string, string> {
  return Object.assign(
    {},
    ...CORPORA.map((corpus) => JSON.parse(readFileSync(join(corpus, 'digests.json'), 'utf8'))),
  );
}
