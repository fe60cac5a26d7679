import type { RunnerTestCase } from 'vitest';

/** What one reliability test tried: cases (inputs, attacks, rounds), how many held, and any data lost. */
export interface CaseTally {
  area?: string;
  tried: number;
  passed: number;
  dataLost: number;
}

declare module 'vitest' {
  interface TaskMeta {
    reliability?: CaseTally;
  }
}

/**
 * A tally attached to the running test's meta, read by the summary reporter. `held()` counts a case whose every
 * assertion passed (call it after them), `lost(n)` records data lost (plans, actions or money).
 */
export function tally(task: RunnerTestCase, area: string) {
  const counts: CaseTally = { area, tried: 0, passed: 0, dataLost: 0 };
  task.meta.reliability = counts;
  return {
    tried(): void {
      counts.tried += 1;
    },
    held(): void {
      counts.passed += 1;
    },
    lost(n: number): void {
      counts.dataLost += n;
    },
    get counts(): Readonly<CaseTally> {
      return counts;
    },
  };
}

export type Tally = ReturnType<typeof tally>;
