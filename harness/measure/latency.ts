/** Latency of a function, measured with tinybench after warm-up (median and spread, ms); an asynchronous one is awaited. */
import { Bench } from 'tinybench';

export interface Latency {
  /** Median milliseconds per call (of the samples' per-call means when a sample holds several calls). */
  medianMs: number;
  /** Interquartile range of the samples (p75 − p25 is not exposed by tinybench; we report p50 ± MAD). */
  madMs: number;
  meanMs: number;
  /** Calls timed. */
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
  /**
   * Calls per timed sample; every figure is still per call. A schedule that repeats every k calls (TD3's delayed actor step:
   * k = 2) gives bimodal per-call times whose median falls on either mode; timing whole cycles measures their cost.
   * `iterations` then counts samples. @default 1
   */
  callsPerSample?: number;
  /**
   * The tasks return promises, awaited inside the timed window (an agent's update: its losses come back from the device).
   * Said rather than detected, since tinybench detects it by calling the task once more. @default false
   */
  async?: boolean;
}

/** Measures each named function in turn, in this process, one after the other (so ratios share the machine state). */
export async function measureLatencies(tasks: Record<string, () => unknown>, options: LatencyOptions = {}): Promise<Record<string, Latency>> {
  const bench = new Bench({
    iterations: options.iterations ?? 20,
    time: options.timeMs ?? 500,
    warmup: true,
    warmupIterations: options.warmupIterations ?? 3,
    warmupTime: options.warmupTimeMs ?? 0,
    throws: true,
  });
  const calls = options.callsPerSample ?? 1;
  if (!Number.isInteger(calls) || calls < 1) throw new Error(`callsPerSample must be a positive integer, got ${calls}`);
  const async = options.async ?? false;
  for (const [name, fn] of Object.entries(tasks)) {
    const sample = calls === 1 ? fn : async ? async () => { for (let k = 0; k < calls; k++) await fn(); } : () => { for (let k = 0; k < calls; k++) fn(); };
    bench.add(name, sample as () => void, { async });
  }
  if (async) await bench.run();
  else bench.runSync();
  const out: Record<string, Latency> = {};
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`benchmark task ${task.name} ended in state ${result.state}`);
    const { latency } = result;
    const median = latency.p50 / calls;
    out[task.name] = {
      medianMs: median,
      madMs: latency.mad / calls,
      meanMs: latency.mean / calls,
      samples: latency.samplesCount * calls,
      perSecond: median > 0 ? 1000 / median : Number.POSITIVE_INFINITY,
    };
  }
  return out;
}
