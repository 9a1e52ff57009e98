/**
 * Same maths after the speed work: the first 20 updates of every algorithm, recorded on the cpu backend before the
 * optimisations (test/fixtures/update-losses.json), must be reproduced within 1e-3 relative (an absolute floor of 1e-6 for
 * values that are themselves near zero, where float32 reordering alone exceeds a relative bound).
 */
import { describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backend.ts';
import { caseDeviation, REGRESSION_CASES } from '../../harness/measure/update-regression.ts';
import { expectRecordedLosses } from '../helpers/update-regression-check.ts';

describe('losses of the first updates equal the recorded pre-optimisation run (cpu)', () => {
  for (const c of REGRESSION_CASES) {
    it(c.name, async () => {
      await useBackend('cpu');
      await expectRecordedLosses(c);
    });
  }
});

describe('caseDeviation (what bench regression reports)', () => {
  it('finds the worst relative deviation and lists each value outside the bound, and each missing or extra loss', () => {
    const recorded = [{ a: 2, b: 1e-7 }, { a: 4, b: 0 }];
    // a: 2.001 is 5e-4 off (inside 1e-3), 4.01 is 2.5e-3 off (outside); b: 5e-7 off 1e-7 is inside the 1e-6 floor
    const actual: Record<string, number>[] = [{ a: 2.001, b: 6e-7 }, { a: 4.01, c: 1 }];
    const deviation = caseDeviation('x', actual, recorded);
    expect(deviation.worstAt).toBe('b at update 1');
    expect(deviation.worstRelative).toBeCloseTo(5, 10);
    expect(deviation.failures).toEqual(['a at update 2: 4.01 vs 4', 'b at update 2: missing', 'c at update 2: not recorded']);
    expect(caseDeviation('y', [], undefined).failures).toEqual(['no recorded losses for y']);
  });
});
