import { InvalidArgumentError } from 'commander';

/** Commander parser of a positive integer option value; anything else is a usage error (exit 2). */
export function positiveInt(value: string): number {
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('Expected a positive integer.');
  }
  return Number(value);
}
