/** Test helper: the update-regression check, shared by the cpu run and the webgpu run of the fixture. */
import { expect } from 'vitest';
import { ABSOLUTE_FLOOR, caseDeviation, recordedLosses, regressionLosses, RELATIVE, type RegressionCase } from '../../harness/measure/update-regression.ts';

/** Runs `c` on the current backend and checks every loss of every update against the recorded run, within the bound. */
export async function expectRecordedLosses(c: RegressionCase): Promise<void> {
  const expected = recordedLosses()[c.name];
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
  // the comparison `bench regression` prints agrees
  expect(caseDeviation(c.name, actual, expected).failures).toEqual([]);
}
