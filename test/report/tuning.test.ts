/**
 * The budget and η rules of harness/report/tuning.ts on hand-made curves whose answers are worked out by hand here.
 */
import { describe, expect, it } from 'vitest';
import { finalScore, plateauTable, sweepChoices, withBudgetChoices, withSweepChoices } from '../../harness/report/tuning.ts';
import type { CellDone, CellResult } from '../../contracts/types.ts';
import { FIXTURE_CELLS } from './fixtures.ts';

const base = FIXTURE_CELLS[0] as CellDone;

/** A finished cell with normalised scores `scores` at updates 0, 1000, 2000, … */
function cell(algorithm: string, dataset: string, seed: number, scores: number[], config: Record<string, unknown> = {}): CellDone {
  const curve = scores.map((normalised, i) => ({ update: 1000 * i, returnMean: normalised, returnSd: 1, normalised }));
  return { ...base, spec: { ...base.spec, algorithm, dataset, seed, config }, curve, last: curve[curve.length - 1], best: curve[curve.length - 1] };
}

describe('finalScore', () => {
  it('averages the last k evaluations', () => {
    expect(finalScore(cell('om2p', 'expert', 0, [0, 10, 20, 30, 60]), 3)).toBeCloseTo(110 / 3, 12);
    expect(finalScore(cell('om2p', 'expert', 0, [0, 10]), 3)).toBe(5);
  });
});

describe('plateauTable', () => {
  it('finds the first update from which three seed means lie within the spread of the plateau', () => {
    // Seed means 0, 40, 80, 96, 100, 100, 104, 100, 98 (9 evaluations, 0…8000); second half = updates ≥ 4000:
    // means 100, 100, 104, 100, 98 → plateau 100.4; ranges there all 4 → spread 4. Windows ending at 3000 hold 40 (too far),
    // at 4000 hold 80, at 5000 hold 96 (4.4 away); at 6000: 100, 100, 104 are all within 4 of 100.4 → flat from 6000.
    const a = [0, 40, 80, 94, 98, 98, 102, 98, 96];
    const b = [0, 40, 80, 98, 102, 102, 106, 102, 100];
    const [row] = plateauTable([cell('om2p', 'expert', 0, a), cell('om2p', 'expert', 1, b)]);
    expect(row.plateau).toBeCloseTo(100.4, 10);
    expect(row.spread).toBeCloseTo(4, 10);
    expect(row.flatFrom).toBe(6000);
    expect(row.scoreAtFlat).toBeCloseTo(104, 10);
  });

  it('says never when the curve keeps rising, and skips groups with one seed', () => {
    const rising = (seed: number) => cell('bc', 'medium', seed, [0, 10, 20, 30, 40, 50, 60, 70].map((s) => s + seed));
    const rows = plateauTable([rising(0), rising(1), cell('td3bc', 'medium', 0, [1, 2, 3])]);
    expect(rows).toHaveLength(1);
    expect(rows[0].flatFrom).toBeNull();
  });

  it('writes each flat group\'s update into the spec, keeps other entries, and leaves never-flat groups at the spec\'s budget', () => {
    const flat = (seed: number) => cell('om2p', 'expert', seed, [0, 50, 100, 100, 100, 100, 100].map((s) => s + seed));
    const rising = (seed: number) => cell('bc', 'medium', seed, [0, 10, 20, 30, 40, 50, 60, 70].map((s) => s + seed));
    // om2p: plateau 100.5 (updates ≥ 3000), spread 1; the window ending at 4000 (100.5, 100.5, 100.5) is the first inside → 4000.
    const rows = plateauTable([flat(0), flat(1), rising(0), rising(1)]);
    const spec = withBudgetChoices({ algorithms: [{ name: 'om2p', datasetUpdates: { 'simple_tag/expert': 900 } }, { name: 'bc' }, { name: 'fql' }] }, rows);
    expect(spec.algorithms).toEqual([{ name: 'om2p', datasetUpdates: { 'simple_tag/expert': 900, 'simple_spread/expert': 4000 } }, { name: 'bc' }, { name: 'fql' }]);
    // a spec that runs another environment only takes no budget from these cooperative-navigation curves
    const other = withBudgetChoices({ environments: [{ name: 'halfcheetah-2x3' }], algorithms: [{ name: 'om2p' }] }, rows);
    expect(other.algorithms).toEqual([{ name: 'om2p' }]);
  });
});

describe('sweepChoices', () => {
  it('picks the value with the best mean final score over seeds, ties to the smaller, never a lost one', () => {
    const cells: CellResult[] = [
      cell('om2p', 'expert', 0, [0, 50, 50, 50], { eta: 0.1 }), // final 50
      cell('om2p', 'expert', 1, [0, 70, 70, 70], { eta: 0.1 }), // final 70 → mean 60
      cell('om2p', 'expert', 0, [0, 60, 60, 60], { eta: 1 }), // mean 60: tie, the smaller η (0.1) wins
      { ...cell('om2p', 'expert', 0, [0], { eta: 10 }), status: 'failed', error: 'x' } as unknown as CellResult,
      cell('om2p', 'medium-replay', 0, [0, 5, 5, 5], { eta: 0.1 }),
      cell('om2p', 'medium-replay', 0, [0, 9, 9, 9], { eta: 1 }),
      cell('fql', 'expert', 0, [0, 20, 30, 40], { alpha: 100 }), // mean of the last 3 = 30
      cell('fql', 'expert', 0, [0, 40, 40, 40], { alpha: 10 }), // 40: α = 10 wins
      cell('bc', 'expert', 0, [0, 99, 99, 99]), // one config: not part of the sweep
    ];
    const choices = sweepChoices(cells, 3);
    expect(choices.map((c) => [c.algorithm, c.datasets, c.keys, c.setting])).toEqual([
      ['fql', ['expert'], ['alpha'], { alpha: 10 }],
      ['om2p', ['expert'], ['eta'], { eta: 0.1 }],
      ['om2p', ['medium-replay'], ['eta'], { eta: 1 }],
    ]);
    const lost = choices[1].candidates.find((c) => c.setting.eta === 10)!;
    expect([lost.score, lost.seeds, lost.lost]).toEqual([-Infinity, 0, 1]);
    const spec = withSweepChoices({ algorithms: [{ name: 'om2p', datasetConfig: { 'simple_spread/expert': { derivative: 'jvp' } } }, { name: 'fql' }, { name: 'bc' }] }, choices);
    expect(spec.algorithms).toEqual([
      { name: 'om2p', datasetConfig: { 'simple_spread/expert': { derivative: 'jvp', eta: 0.1 }, 'simple_spread/medium-replay': { eta: 1 } } },
      { name: 'fql', datasetConfig: { 'simple_spread/expert': { alpha: 10 } } },
      { name: 'bc' },
    ]);
  });

  /** A sampler-sweep cell: stochastic scores `scores`, noise-free `free` and spread `spread` at every evaluation. */
  function sampled(dataset: string, config: Record<string, unknown>, scores: number[], free: number, spread: number): CellDone {
    const made = cell('om2p', dataset, 0, scores, { eta: dataset === 'expert' ? 0.01 : 10, ...config });
    const curve = made.curve.map((point) => ({ ...point, noiseFree: { returnMean: free, returnSd: 0, normalised: free }, actionSpread: [spread, 3 * spread] }));
    return { ...made, curve, last: curve[curve.length - 1] };
  }
  const uniformIndependent = { timeDistribution: 'uniform', timeOrder: 'independent' };
  const sweep = [
    sampled('expert', {}, [0, 20, 20, 20], 80, 0.1), // the default sampler: spread (0.1 + 0.3)/2 = 0.2
    sampled('expert', { equalTimesFraction: 0.75 }, [0, 40, 50, 60], 90, 0.05), // final (40 + 50 + 60)/3 = 50
    sampled('expert', uniformIndependent, [0, 45, 45, 45], 60, 0.06),
    sampled('medium-replay', {}, [0, 10, 10, 10], 12, 0.2),
    sampled('medium-replay', { equalTimesFraction: 0.75 }, [0, 6, 6, 6], 9, 0.1),
    sampled('medium-replay', uniformIndependent, [0, 20, 20, 20], 21, 0.1),
  ];

  it('sweeps several keys at once, per dataset: keys varied within a dataset only (η differs between datasets), with the noise-free score and spread', () => {
    const choices = sweepChoices(sweep, 3);
    expect(choices.map((c) => [c.datasets, c.keys, c.setting])).toEqual([
      [['expert'], ['equalTimesFraction', 'timeDistribution', 'timeOrder'], { equalTimesFraction: 0.75 }],
      [['medium-replay'], ['equalTimesFraction', 'timeDistribution', 'timeOrder'], uniformIndependent],
    ]);
    // candidates in key order (equalTimesFraction, timeDistribution, timeOrder; a key left at its default first): the default,
    // then the uniform one (equalTimesFraction at its default), then equalTimesFraction 0.75
    const expert = choices[0].candidates;
    expect(expert.map((c) => [c.setting, c.score, c.noiseFree, c.spread])).toEqual([
      [{}, 20, 80, expect.closeTo(0.2, 12)],
      [uniformIndependent, 45, 60, expect.closeTo(0.12, 12)],
      [{ equalTimesFraction: 0.75 }, 50, 90, expect.closeTo(0.1, 12)],
    ]);
  });

  it('per family pools the datasets (mean of their scores) and writes the one choice to every dataset of that environment, replacing stale swept keys', () => {
    // family means: default (20 + 10)/2 = 15, equal times (50 + 6)/2 = 28, uniform independent (45 + 20)/2 = 32.5 → uniform
    const [choice] = sweepChoices(sweep, 3, 'family');
    expect([choice.datasets, choice.setting, choice.candidates.map((c) => c.score)]).toEqual([['expert', 'medium-replay'], uniformIndependent, [15, 32.5, 28]]);
    const spec = withSweepChoices(
      {
        datasets: ['expert', 'medium-replay', 'medium'],
        environments: [{ name: 'simple_spread' }],
        algorithms: [{ name: 'om2p', datasetConfig: { 'simple_spread/expert': { eta: 0.01, equalTimesFraction: 0.5 } } }],
      },
      [choice, { ...choice, env: 'halfcheetah-2x3', datasets: ['expert'] }],
    );
    // the spec does not run HalfCheetah, so that family's choice is not written into it
    expect(spec.algorithms[0].datasetConfig).toEqual({
      'simple_spread/expert': { eta: 0.01, ...uniformIndependent }, // the old equalTimesFraction (a swept key) is gone
      'simple_spread/medium-replay': uniformIndependent,
      'simple_spread/medium': uniformIndependent, // a dataset of the family the sweep did not run
    });
  });

  it('never chooses, per family, a setting that did not run on every dataset', () => {
    const partial = [...sweep, sampled('expert', { equalTimesFraction: 0.25 }, [0, 99, 99, 99], 99, 0)];
    const [choice] = sweepChoices(partial, 3, 'family');
    expect(choice.setting).toEqual(uniformIndependent);
    expect(choice.candidates.find((c) => c.setting.equalTimesFraction === 0.25)!.score).toBe(-Infinity);
  });
});
