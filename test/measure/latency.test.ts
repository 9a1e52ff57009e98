import { describe, expect, it } from 'vitest';
import { measureLatencies } from '../../harness/measure/latency.ts';

describe('measureLatencies', () => {
  it('times whole cycles of callsPerSample calls and reports per call', async () => {
    let calls = 0;
    const { f } = await measureLatencies({ f: () => void calls++ }, { iterations: 5, timeMs: 0, warmupIterations: 1, callsPerSample: 3 });
    // tinybench runs the warm-up samples, then at least `iterations` samples; every sample is 3 calls.
    expect(calls % 3).toBe(0);
    expect(f.samples % 3).toBe(0);
    expect(f.samples).toBeGreaterThanOrEqual(15);
    expect(calls).toBeGreaterThanOrEqual(f.samples + 3);
    expect(f.perSecond).toBeCloseTo(1000 / f.medianMs, 6);
  });

  it('rejects a cycle that is not a positive integer, naming the value', async () => {
    await expect(measureLatencies({ f: () => {} }, { callsPerSample: 0 })).rejects.toThrow(/callsPerSample.*0/);
    await expect(measureLatencies({ f: () => {} }, { callsPerSample: 1.5 })).rejects.toThrow(/callsPerSample.*1\.5/);
  });
});
