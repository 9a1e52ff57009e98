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
    expect(choices.map((c) => [c.algorithm, c.dataset, c.key, c.value])).toEqual([
      ['fql', 'expert', 'alpha', 10],
      ['om2p', 'expert', 'eta', 0.1],
      ['om2p', 'medium-replay', 'eta', 1],
    ]);
    const lost = choices[1].candidates.find((c) => c.value === 10)!;
    expect([lost.score, lost.seeds, lost.lost]).toEqual([-Infinity, 0, 1]);
    const spec = withSweepChoices({ algorithms: [{ name: 'om2p', datasetConfig: { 'simple_spread/expert': { derivative: 'jvp' } } }, { name: 'fql' }, { name: 'bc' }] }, choices);
    expect(spec.algorithms).toEqual([
      { name: 'om2p', datasetConfig: { 'simple_spread/expert': { derivative: 'jvp', eta: 0.1 }, 'simple_spread/medium-replay': { eta: 1 } } },
      { name: 'fql', datasetConfig: { 'simple_spread/expert': { alpha: 10 } } },
      { name: 'bc' },
    ]);
  });

  it('refuses an algorithm whose cells vary more than one key', () => {
    const cells = [cell('om2p', 'expert', 0, [1], { eta: 0.1, fdStep: 1e-3 }), cell('om2p', 'expert', 0, [1], { eta: 1, fdStep: 1e-2 })];
    expect(() => sweepChoices(cells)).toThrow(/om2p: a sweep varies one numeric config key, these cells vary eta, fdStep/);
  });
});
