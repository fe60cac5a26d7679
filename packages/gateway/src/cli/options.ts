import { InvalidArgumentError } from 'commander';

/** Commander parser of a positive integer option value; anything else is a usage error (exit 2). */
export function positiveInt(value: string): number {
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('Expected a positive integer.');
  }
  return Number(value);
}

/**
 * A Commander parser of a comma-separated list of `values` (`--status dead,in_doubt`); an unknown item is a usage
 * error (exit 2) naming it and what is accepted.
 */
export function enumList<T extends string>(values: readonly T[], what: string) {
  return (value: string): T[] => {
    const items = value.split(',').map((s) => s.trim());
    const unknown = items.filter((s) => !(values as readonly string[]).includes(s));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        `Unknown ${what} ${unknown.join(', ')}; use ${values.join(', ')}`,
      );
    }
    return items as T[];
  };
}
