/**
 * Seeded percentile-bootstrap confidence intervals (spec §5), in the style of rliable's `StratifiedBootstrap`
 * (google-research/rliable `library.py`) but with the random stream as a required argument.
 *
 * Shape convention: scores of one algorithm are `ScoresByTask`, rliable's runs × tasks matrix stored by column:
 * `scores[m]` holds the runs of task m. Columns may differ in length, because a failed or diverged seed leaves a
 * hole in one task only. A stratified resample draws, for every task independently, as many runs as that task has,
 * with replacement, so every task keeps its weight. Several score sets (e.g. X and Y for a probability of
 * improvement) are resampled independently of each other.
 */
import { quantileSeq } from 'mathjs';
import type { Rng } from '../../contracts/rng.ts';

/** Scores of one algorithm: one array of run scores per task (the columns of a runs × tasks matrix). */
export type ScoresByTask = readonly (readonly number[])[];

/** A point estimate with its confidence interval; `n` is the number of runs the point was computed from. */
export interface Interval {
  point: number;
  lower: number;
  upper: number;
  n: number;
}

export interface BootstrapOptions {
  /** Number of bootstrap resamples. rliable defaults to 50,000, which is slow; 2,000 keeps CIs within ~0.1 se. */
  reps: number;
  /** Coverage of the two-sided percentile interval. */
  confidence: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { reps: 2000, confidence: 0.95 };

/**
 * Stratified bootstrap of an aggregate over one or more score sets. `statistic` receives the score sets in the
 * order given (the originals for the point estimate, resamples for the interval) and returns one number.
 * The interval is the percentile interval of the resampled statistics (linear interpolation between order
 * statistics, numpy's default, as rliable uses).
 */
export function stratifiedBootstrap(
  sets: readonly ScoresByTask[],
  statistic: (...sets: ScoresByTask[]) => number,
  rng: Rng,
  options: Partial<BootstrapOptions> = {},
): Interval {
  const { reps, confidence } = { ...DEFAULT_BOOTSTRAP, ...options };
  if (!(reps >= 1)) throw new RangeError(`bootstrap reps must be at least 1, got ${reps}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  for (const set of sets) {
    if (set.length === 0 || set.some((runs) => runs.length === 0)) {
      throw new RangeError('every task needs at least one run to bootstrap');
    }
  }
  const draws = new Array<number>(reps);
  for (let b = 0; b < reps; b++) draws[b] = statistic(...sets.map((set) => resampleWithinTasks(set, rng)));
  const alpha = (1 - confidence) / 2;
  const [lower, upper] = quantileSeq(draws, [alpha, 1 - alpha]) as number[];
  const n = sets.reduce((total, set) => total + set.reduce((runs, task) => runs + task.length, 0), 0);
  return { point: statistic(...sets), lower, upper, n };
}

/** Percentile bootstrap CI of `statistic` over one sample `x` of runs: the one-task case of the stratified bootstrap. */
export function percentileBootstrap(
  x: readonly number[],
  statistic: (sample: readonly number[]) => number,
  rng: Rng,
  options: Partial<BootstrapOptions> = {},
): Interval {
  return stratifiedBootstrap([[x]], (set) => statistic(set[0]), rng, options);
}

function resampleWithinTasks(set: ScoresByTask, rng: Rng): number[][] {
  return set.map((runs) => {
    const sample = new Array<number>(runs.length);
    for (let k = 0; k < runs.length; k++) sample[k] = runs[rng.int(runs.length)];
    return sample;
  });
}
