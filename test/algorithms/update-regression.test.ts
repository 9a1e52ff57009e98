/**
 * Same maths after the speed work: the first 20 updates of every algorithm, recorded on the cpu backend before the
 * optimisations (test/fixtures/update-losses.json), must be reproduced within 1e-3 relative (an absolute floor of 1e-6 for
 * values that are themselves near zero, where float32 reordering alone exceeds a relative bound).
 */
import { describe, it } from 'vitest';
import { useBackend } from '../helpers/backend.ts';
import { expectRecordedLosses } from '../helpers/update-regression-check.ts';
import { REGRESSION_CASES } from '../helpers/update-regression.ts';

describe('losses of the first updates equal the recorded pre-optimisation run (cpu)', () => {
  for (const c of REGRESSION_CASES) {
    it(c.name, async () => {
      await useBackend('cpu');
      await expectRecordedLosses(c);
    });
  }
});
