/** Mean, sd (n − 1), standard error and IQM against values computed by hand (IQM follows scipy's trim_mean(x, 0.25)). */
import { describe, expect, it } from 'vitest';
import { iqm, mean, sd, standardError } from '../../harness/stats/index.ts';

describe('descriptive statistics', () => {
  it('mean, sd with n − 1 and standard error of 2, 4, 4, 4, 5, 5, 7, 9', () => {
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    // mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sd = √(32/7); se = sd/√8 = √(32/56)
    expect(mean(x)).toBe(5);
    expect(sd(x)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(standardError(x)).toBeCloseTo(Math.sqrt(4 / 7), 12);
  });

  it('sd and standard error refuse a single value instead of returning 0 or NaN', () => {
    expect(() => sd([3])).toThrow(/at least 2/);
    expect(() => standardError([3])).toThrow(/at least 2/);
    expect(() => mean([])).toThrow(/at least 1/);
  });

  it.each([
    // n = 5: ⌊5/4⌋ = 1 dropped each end; sorted 1, 2, 4, 5, 100 → mean(2, 4, 5) = 11/3
    { x: [5, 1, 4, 100, 2], expected: 11 / 3, label: 'n=5 unsorted' },
    // sorted 1, 2, 3, 4, 100 → mean(2, 3, 4) = 3, the outlier never counts
    { x: [1, 2, 3, 4, 100], expected: 3, label: 'n=5 with an outlier' },
    // n = 8: drop 2 each end of 1..8 → mean(3, 4, 5, 6) = 4.5; the outliers 0 and 1000 never count
    { x: [1000, 3, 0, 6, 4, 5, 2, 1], expected: (2 + 3 + 4 + 5) / 4, label: 'n=8' },
    // n = 10: drop 2 each end of 1..10 → mean(3..8) = 5.5
    { x: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], expected: 5.5, label: 'n=10' },
    // n = 3: ⌊3/4⌋ = 0, nothing dropped → plain mean
    { x: [0, 0, 9], expected: 3, label: 'n=3 keeps every value' },
    // n = 4: drop 1 each end → mean of the middle two
    { x: [1, 10, 20, 1000], expected: 15, label: 'n=4' },
  ])('IQM $label = $expected', ({ x, expected }) => {
    expect(iqm(x)).toBeCloseTo(expected, 12);
  });
});
