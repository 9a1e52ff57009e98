/**
 * Same maths after the speed work: the first 20 updates of every algorithm, recorded on the cpu backend before the
 * optimisations (test/fixtures/update-losses.json), must be reproduced within 1e-3 relative (an absolute floor of 1e-6 for
 * values that are themselves near zero, where float32 reordering alone exceeds a relative bound).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backend.ts';
import { ABSOLUTE_FLOOR, caseDeviation, REGRESSION_CASES, regressionLosses, RELATIVE_BOUND } from '../../harness/measure/update-regression.ts';

const recorded = JSON.parse(readFileSync(new URL('../fixtures/update-losses.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, number>[]
>;


describe('losses of the first updates equal the recorded pre-optimisation run (cpu)', () => {
  for (const c of REGRESSION_CASES) {
    it(c.name, async () => {
      await useBackend('cpu');
      const expected = recorded[c.name];
      expect(expected, `no recorded losses for ${c.name}`).toBeDefined();
      const actual = await regressionLosses(c);
      expect(actual.length).toBe(expected.length);
      actual.forEach((losses, update) => {
        expect(Object.keys(losses).sort(), `keys at update ${update + 1}`).toEqual(Object.keys(expected[update]).sort());
        for (const [key, want] of Object.entries(expected[update])) {
          const bound = Math.max(RELATIVE_BOUND * Math.abs(want), ABSOLUTE_FLOOR);
          expect(Math.abs(losses[key] - want), `${key} at update ${update + 1}: ${losses[key]} vs ${want}`).toBeLessThanOrEqual(bound);
        }
      });
      // the comparison `bench regression` prints agrees
      expect(caseDeviation(c.name, actual, expected).failures).toEqual([]);
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
