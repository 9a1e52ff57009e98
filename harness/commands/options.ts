/** Option parsers shared by every command: integers with a lower bound, and repeatable options. */
import { InvalidArgumentError } from 'commander';

/** Parses an integer ≥ `min`; anything else is a usage error naming the value. */
export const integerAtLeast = (min: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${value}'`);
  return n;
};

/** Collects every occurrence of a repeatable option (`--option a=1 --option b=2`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
