/** Progress off a terminal (`harness/progress.ts`): the ETA line of a loop and its durations. */
import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine } from '../harness/progress.ts';

describe('progress lines', () => {
  it('give the ETA from the mean rate so far', () => {
    // 3 cells in 90 s: 30 s each, 5 left → 150 s
    expect(progressLine('cells', 3, 8, 90_000)).toBe('3 of 8 cells done, ETA 2 min 30 s');
    expect(progressLine('cells', 0, 8, 5_000)).toBe('0 of 8 cells done, ETA unknown');
    expect(progressLine('cells', 8, 8, 5_000)).toBe('8 of 8 cells done');
  });

  it('write durations in their two largest units', () => {
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(250_000)).toBe('4 min 10 s');
    expect(formatDuration((2 * 3600 + 5 * 60 + 59) * 1000)).toBe('2 h 05 min');
  });
});
