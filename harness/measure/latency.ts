/** Latency of a synchronous function, measured with tinybench after warm-up (median and spread, ms). */
import { Bench } from 'tinybench';

export interface Latency {
  /** Median milliseconds per call. */
  medianMs: number;
  /** Interquartile range of the samples (p75 − p25 is not exposed by tinybench; we report p50 ± MAD). */
  madMs: number;
  meanMs: number;
  samples: number;
  /** Calls per second derived from the median. */
  perSecond: number;
}

export interface LatencyOptions {
  /** Minimum measured calls. @default 20 */
  iterations?: number;
  /** Minimum measuring time in ms. @default 500 */
  timeMs?: number;
  /** Warm-up calls (not measured). @default 3 */
  warmupIterations?: number;
  /** Minimum warm-up time in ms, on top of the warm-up calls. @default 0 */
  warmupTimeMs?: number;
}

/** Measures each named function in turn, in this process, one after the other (so ratios share the machine state). */
export function measureLatencies(tasks: Record<string, () => void>, options: LatencyOptions = {}): Record<string, Latency> {
  const bench = new Bench({
    iterations: options.iterations ?? 20,
    time: options.timeMs ?? 500,
    warmup: true,
    warmupIterations: options.warmupIterations ?? 3,
    warmupTime: options.warmupTimeMs ?? 0,
    throws: true,
  });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  bench.runSync();
  const out: Record<string, Latency> = {};
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`benchmark task ${task.name} ended in state ${result.state}`);
    const { latency } = result;
    out[task.name] = {
      medianMs: latency.p50,
      madMs: latency.mad,
      meanMs: latency.mean,
      samples: latency.samplesCount,
      perSecond: latency.p50 > 0 ? 1000 / latency.p50 : Number.POSITIVE_INFINITY,
    };
  }
  return out;
}
