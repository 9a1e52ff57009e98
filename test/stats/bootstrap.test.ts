/** Bootstrap CIs: invariants (constant data, containment, seeding, stratification) and two textbook cases. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import { iqm, mean, percentileBootstrap, stratifiedBootstrap } from '../../harness/stats/index.ts';

const meanOfAll = (set: readonly (readonly number[])[]) => mean(set.flat());

describe('percentile bootstrap', () => {
  it('a constant vector gives a zero-width CI at that value', () => {
    const ci = percentileBootstrap([7, 7, 7, 7, 7], mean, createRng(1), { reps: 500 });
    expect(ci).toEqual({ point: 7, lower: 7, upper: 7, n: 5 });
  });

  it('the CI contains the point estimate, for the mean and for the IQM', () => {
    const x = [0.3, 1.9, -0.4, 2.2, 0.8, 1.1, 5.0, -1.3];
    for (const statistic of [mean, iqm]) {
      const ci = percentileBootstrap(x, statistic, createRng(2), { reps: 1000 });
      expect(ci.lower).toBeLessThan(ci.point);
      expect(ci.point).toBeLessThan(ci.upper);
      expect(ci.n).toBe(8);
    }
  });

  it('the same seed gives the same CI and a different seed different draws', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const a = percentileBootstrap(x, mean, createRng(11), { reps: 300 });
    const b = percentileBootstrap(x, mean, createRng(11), { reps: 300 });
    const c = percentileBootstrap(x, mean, createRng(12), { reps: 300 });
    expect(b).toEqual(a);
    expect([c.lower, c.upper]).not.toEqual([a.lower, a.upper]);
    expect(c.point).toBe(a.point);
  });

  it('two values {0, 1}: the resampled mean is 0, ½ or 1, so the 95 % CI is exactly [0, 1]', () => {
    // P(mean = 0) = P(mean = 1) = 1/4 > 2.5 %, so both tails land on the extreme values.
    const ci = percentileBootstrap([0, 1], mean, createRng(3), { reps: 2000 });
    expect(ci).toEqual({ point: 0.5, lower: 0, upper: 1, n: 2 });
  });

  it('for the mean of 0..99 the CI matches the normal approximation x̄ ± 1.96·σ/√n', () => {
    // Plug-in σ of 0..99 = √((100² − 1)/12) = 28.866; half-width 1.96 · 28.866 / 10 = 5.658 around 49.5.
    const x = Array.from({ length: 100 }, (_, k) => k);
    const ci = percentileBootstrap(x, mean, createRng(4), { reps: 4000 });
    const halfWidth = (1.96 * Math.sqrt((100 * 100 - 1) / 12)) / 10;
    expect(ci.point).toBe(49.5);
    expect(Math.abs(ci.lower - (49.5 - halfWidth))).toBeLessThan(0.4);
    expect(Math.abs(ci.upper - (49.5 + halfWidth))).toBeLessThan(0.4);
  });

  it('a 50 % interval is narrower than a 95 % one from the same draws', () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    const wide = percentileBootstrap(x, mean, createRng(5), { reps: 800, confidence: 0.95 });
    const narrow = percentileBootstrap(x, mean, createRng(5), { reps: 800, confidence: 0.5 });
    expect(narrow.lower).toBeGreaterThan(wide.lower);
    expect(narrow.upper).toBeLessThan(wide.upper);
  });

  it('rejects bad options and empty samples', () => {
    expect(() => percentileBootstrap([1, 2], mean, createRng(0), { reps: 0 })).toThrow(/reps/);
    expect(() => percentileBootstrap([1, 2], mean, createRng(0), { confidence: 1 })).toThrow(/confidence/);
    expect(() => percentileBootstrap([], mean, createRng(0))).toThrow(/at least one run/);
  });
});

describe('stratified bootstrap', () => {
  it('resamples within tasks: tasks that are constant inside but differ between each other give a zero-width CI', () => {
    // Task A always scores 0 (3 runs), task B always 10 (1 run). Pooled mean = 10/4 = 2.5 in every stratified
    // resample; an unstratified resample of the 4 values would move it.
    const ci = stratifiedBootstrap([[[0, 0, 0], [10]]], meanOfAll, createRng(6), { reps: 500 });
    expect(ci).toEqual({ point: 2.5, lower: 2.5, upper: 2.5, n: 4 });
  });

  it('resamples independent score sets independently and counts every run', () => {
    const x = [[1, 2, 3], [4, 5]];
    const y = [[1, 2, 3], [4, 5]];
    const difference = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]) => meanOfAll(a) - meanOfAll(b);
    const ci = stratifiedBootstrap([x, y], difference, createRng(7), { reps: 1000 });
    // Identical sets: the point is 0, but independent resamples spread around it on both sides.
    expect(ci.point).toBe(0);
    expect(ci.lower).toBeLessThan(0);
    expect(ci.upper).toBeGreaterThan(0);
    expect(ci.n).toBe(10);
  });
});
