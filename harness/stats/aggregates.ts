/**
 * Aggregates across tasks (rliable's `metrics.py`; spec §5). Shape convention: `ScoresByTask`, one array of run
 * scores per task (the columns of a runs × tasks matrix of normalised scores). Each function is pure; its interval
 * version wraps it in the stratified bootstrap, so the same estimator gives the point and the CI.
 */
import type { Rng } from '../../contracts/rng.ts';
import { iqm } from './descriptive.ts';
import { stratifiedBootstrap, type BootstrapOptions, type Interval, type ScoresByTask } from './bootstrap.ts';

/** IQM of all runs of all tasks pooled (rliable `aggregate_iqm`: `trim_mean(scores, 0.25, axis=None)`). */
export function pooledIqm(scores: ScoresByTask): number {
  return iqm(scores.flat());
}

/** IQM across tasks with a stratified-bootstrap CI (runs resampled within each task). */
export function pooledIqmInterval(scores: ScoresByTask, rng: Rng, options?: Partial<BootstrapOptions>): Interval {
  return stratifiedBootstrap([scores], pooledIqm, rng, options);
}

/**
 * Probability of improvement `P(X > Y) = (1/M) Σ_m U_m / (N_x N_y)`, where U_m is the Mann–Whitney U statistic of
 * task m: the number of pairs (x, y) with x > y, ties counting ½ (so identical vectors give 0.5). `x[m]` and `y[m]`
 * must be the same task; their run counts may differ.
 */
export function probabilityOfImprovement(x: ScoresByTask, y: ScoresByTask): number {
  if (x.length !== y.length || x.length === 0) {
    throw new RangeError(`probability of improvement needs the same tasks on both sides, got ${x.length} and ${y.length}`);
  }
  let total = 0;
  for (let m = 0; m < x.length; m++) total += mannWhitneyU(x[m], y[m]) / (x[m].length * y[m].length);
  return total / x.length;
}

/** P(X > Y) with a CI from resampling X and Y independently within each task (rliable's independent stratified bootstrap). */
export function probabilityOfImprovementInterval(
  x: ScoresByTask,
  y: ScoresByTask,
  rng: Rng,
  options?: Partial<BootstrapOptions>,
): Interval {
  return stratifiedBootstrap([x, y], probabilityOfImprovement, rng, options);
}

/**
 * Performance profile `F(τ) = (1/M) Σ_m (1/N_m) Σ_n 1[x_mn > τ]`: for each threshold τ, the fraction of runs scoring
 * strictly above τ, averaged over tasks so every task weighs the same. Returned in the order of `taus`.
 */
export function performanceProfile(scores: ScoresByTask, taus: readonly number[]): number[] {
  if (scores.length === 0 || scores.some((runs) => runs.length === 0)) {
    throw new RangeError('a performance profile needs at least one run in every task');
  }
  return taus.map(
    (tau) => scores.reduce((sum, runs) => sum + runs.filter((score) => score > tau).length / runs.length, 0) / scores.length,
  );
}

function mannWhitneyU(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}
