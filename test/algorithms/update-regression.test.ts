/**
 * Same maths after the speed work: the first 20 updates of every algorithm, recorded on the cpu backend before the
 * optimisations (test/fixtures/update-losses.json), must be reproduced within 1e-3 relative (an absolute floor of 1e-6 for
 * values that are themselves near zero, where float32 reordering alone exceeds a relative bound).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backend.ts';
import { REGRESSION_CASES, regressionLosses } from '../helpers/update-regression.ts';

const recorded = JSON.parse(readFileSync(new URL('../fixtures/update-losses.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, number>[]
>;

const RELATIVE = 1e-3;
const ABSOLUTE_FLOOR = 1e-6;

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
          const bound = Math.max(RELATIVE * Math.abs(want), ABSOLUTE_FLOOR);
          expect(Math.abs(losses[key] - want), `${key} at update ${update + 1}: ${losses[key]} vs ${want}`).toBeLessThanOrEqual(bound);
        }
      });
    });
  }
});
