/** Across-task aggregates on matrices small enough to compute by hand (layout: one array of runs per task). */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import {
  performanceProfile,
  pooledIqm,
  pooledIqmInterval,
  probabilityOfImprovement,
  probabilityOfImprovementInterval,
} from '../../harness/stats/index.ts';

describe('probability of improvement', () => {
  it('single task with ties: x = 1,2,3 vs y = 2,2,4 has U = 0 + (½+½) + (1+1) = 3, so P = 3/9', () => {
    expect(probabilityOfImprovement([[1, 2, 3]], [[2, 2, 4]])).toBeCloseTo(1 / 3, 12);
    // and the reverse direction is the complement, 6/9
    expect(probabilityOfImprovement([[2, 2, 4]], [[1, 2, 3]])).toBeCloseTo(2 / 3, 12);
  });

  it('averages U_m / (N_x N_y) over tasks with different run counts', () => {
    // task 1: 3/9 as above; task 2: x = 5,5 vs y = 1,5 → each 5 scores 1 + ½, U = 3 of 4 pairs → 0.75
    const p = probabilityOfImprovement([[1, 2, 3], [5, 5]], [[2, 2, 4], [1, 5]]);
    expect(p).toBeCloseTo((1 / 3 + 0.75) / 2, 12);
  });

  it('identical vectors give exactly 0.5 and a CI that straddles it', () => {
    const x = [[0.1, 0.4, 0.9], [0.2, 0.3, 0.8]];
    expect(probabilityOfImprovement(x, x)).toBe(0.5);
    const ci = probabilityOfImprovementInterval(x, x, createRng(8), { reps: 600 });
    expect(ci.point).toBe(0.5);
    expect(ci.lower).toBeLessThan(0.5);
    expect(ci.upper).toBeGreaterThan(0.5);
  });

  it('complete separation gives 1 with a zero-width CI', () => {
    const ci = probabilityOfImprovementInterval([[10, 11], [20, 21]], [[0, 1], [2, 3]], createRng(9), { reps: 300 });
    expect(ci).toEqual({ point: 1, lower: 1, upper: 1, n: 8 });
  });

  it('refuses mismatched task lists', () => {
    expect(() => probabilityOfImprovement([[1]], [[1], [2]])).toThrow(/same tasks/);
  });
});

describe('pooled IQM', () => {
  it('pools runs of all tasks before trimming: 8 values, drop 2 each end', () => {
    // pooled values 0, 1, 2, 3, 4, 5, 6, 100 → middle four 2, 3, 4, 5 → 3.5
    expect(pooledIqm([[0, 4, 100, 2], [5, 1, 3, 6]])).toBe(3.5);
  });

  it('its CI contains the point and is seeded', () => {
    const scores = [[10, 30, 20, 50, 40], [15, 35, 25, 5, 45]];
    const a = pooledIqmInterval(scores, createRng(10), { reps: 500 });
    expect(a.lower).toBeLessThanOrEqual(a.point);
    expect(a.upper).toBeGreaterThanOrEqual(a.point);
    expect(pooledIqmInterval(scores, createRng(10), { reps: 500 })).toEqual(a);
  });
});

describe('performance profile', () => {
  it('F(τ) on a 2-task matrix, strict inequality, tasks weighted equally', () => {
    // task 1 runs: 0.1, 0.5, 0.7, 0.9 ; task 2 runs: 0.3, 0.6
    // τ = 0   → (4/4 + 2/2)/2 = 1
    // τ = 0.5 → (2/4 + 1/2)/2 = 0.5   (0.5 itself is not above 0.5)
    // τ = 0.6 → (2/4 + 0/2)/2 = 0.25
    // τ = 0.8 → (1/4 + 0)/2   = 0.125
    // τ = 1   → 0
    const scores = [[0.1, 0.5, 0.7, 0.9], [0.3, 0.6]];
    expect(performanceProfile(scores, [0, 0.5, 0.6, 0.8, 1])).toEqual([1, 0.5, 0.25, 0.125, 0]);
  });

  it('is non-increasing in τ', () => {
    const scores = [[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]];
    const taus = Array.from({ length: 21 }, (_, k) => k / 2);
    const profile = performanceProfile(scores, taus);
    for (let k = 1; k < profile.length; k++) expect(profile[k]).toBeLessThanOrEqual(profile[k - 1]);
  });
});
