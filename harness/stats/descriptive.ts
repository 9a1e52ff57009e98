/**
 * Descriptive statistics of one sample of run scores (spec §5): mean, sd with n − 1, standard error and the
 * interquartile mean. Shape: `x` is a flat vector of independent runs (one score per seed). Every function throws
 * on a sample too small for its estimator rather than returning NaN, so a report never prints a silent hole.
 */
import { mean as mathMean, std as mathStd } from 'mathjs';

/** Arithmetic mean of `x` (n ≥ 1). */
export function mean(x: readonly number[]): number {
  requireSize(x, 1, 'mean');
  return mathMean([...x]) as number;
}

/** Sample standard deviation with the n − 1 denominator (n ≥ 2; mathjs' `unbiased` normalisation). */
export function sd(x: readonly number[]): number {
  requireSize(x, 2, 'sd');
  return mathStd([...x], 'unbiased') as unknown as number;
}

/** Standard error of the mean, sd / √n (n ≥ 2). */
export function standardError(x: readonly number[]): number {
  return sd(x) / Math.sqrt(x.length);
}

/**
 * Interquartile mean: the mean after dropping ⌊n/4⌋ values from each end of the sorted sample, exactly as
 * `scipy.stats.trim_mean(x, 0.25)` and rliable's `aggregate_iqm` (n = 5 keeps 3 values, n = 8 keeps 4, n = 10 keeps 6).
 */
export function iqm(x: readonly number[]): number {
  requireSize(x, 1, 'iqm');
  const sorted = [...x].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
  return mean(sorted.slice(cut, sorted.length - cut));
}

function requireSize(x: readonly number[], min: number, what: string): void {
  if (x.length < min) throw new RangeError(`${what} needs at least ${min} value(s), got ${x.length}`);
}
