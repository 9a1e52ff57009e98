/**
 * Option parsers shared by every command: integers with a lower bound, repeatable options, lists of allowed values, and
 * deprecated spellings. Enumerated options are checked when parsed, so a typo fails at once, naming the value and the
 * allowed ones, instead of after the work it would have spoiled.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';

/** Parses an integer ≥ `min`; anything else is a usage error naming the value. */
export const integerAtLeast = (min: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${value}'`);
  return n;
};

/** Collects every occurrence of a repeatable option (`--option a=1 --option b=2`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Parses a comma-separated list whose every item is one of `allowed`. */
export const listOf = (allowed: readonly string[]) => (value: string): string[] => {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.find((item) => !allowed.includes(item));
  if (bad !== undefined) throw new InvalidArgumentError(`'${bad}' is not one of ${allowed.join(', ')}`);
  return items;
};

/** An option whose value must be one of `allowed` (commander checks it while parsing). */
export function choiceOption(flags: string, description: string, allowed: readonly string[], fallback?: string): Option {
  const option = new Option(flags, description).choices(allowed);
  return fallback === undefined ? option : option.default(fallback);
}

/** A deprecated spelling of `current`, accepted for one release: hidden from help and parsed as `current` is. */
export function deprecatedOption(flags: string, current: Option): Option {
  const option = new Option(flags, `deprecated: ${current.long}`).hideHelp();
  if (current.argChoices) return option.choices(current.argChoices);
  return current.parseArg ? option.argParser(current.parseArg) : option;
}

/**
 * The value of `current`, or of its deprecated spelling `old` when that was given (with a message on stderr saying so).
 * Giving both is an error: the two could disagree.
 */
export function withDeprecated<T>(command: Command, old: Option, current: Option): T {
  const values = command.opts();
  const given = values[old.attributeName()] as T | undefined;
  if (given === undefined) return values[current.attributeName()] as T;
  if (command.getOptionValueSource(current.attributeName()) === 'cli') throw new Error(`give ${current.long} or ${old.long}, not both (${old.long} is its deprecated spelling)`);
  process.stderr.write(`om2p-bench: ${old.long} is deprecated and will be removed in the next release; use ${current.long}\n`);
  return given;
}
