/**
 * `om2p-bench bench env`: environment steps per second (copies × steps / s) for every registered environment at each
 * of its `benchBatches` (default [1, 100]), with default options and uniform random actions for the learned agents.
 * One measured call runs `STEPS_PER_CALL` batched steps (resetting whenever an episode ends, as evaluation does), so
 * sub-microsecond steps are not dominated by timer resolution; the rate comes from the median call.
 */
import type { Command } from 'commander';
import { createRng } from '../../contracts/rng.ts';
import { measureLatencies } from '../measure/latency.ts';
import { environmentNames } from '../registry.ts';
import { resolveEnvOptions } from '../resolve.ts';
import type { Environment } from '../../contracts/types.ts';
import { loadPlugins } from './context.ts';
import { integerAtLeast } from './options.ts';

const DEFAULT_BATCHES = [1, 100];
const STEPS_PER_CALL = 25;

export interface EnvBenchRow {
  env: string;
  taskId: string;
  batch: number;
  /** Environment steps per second summed over copies. */
  stepsPerSecond: number;
  /** Median microseconds per batched `step` call (reset time included, amortised). */
  stepMicros: number;
  samples: number;
}

/** A function running `STEPS_PER_CALL` steps of `env` with pre-drawn random actions, resetting at episode ends. */
function stepper(env: Environment, seed: number): () => void {
  const rng = createRng(seed);
  const { learnedAgents, actDims, episodeLength } = env.spec;
  const pool = Array.from({ length: STEPS_PER_CALL }, () =>
    learnedAgents.map((i) => Float32Array.from({ length: env.batch * actDims[i] }, () => rng.range(-1, 1))),
  );
  const seeds = () => Array.from({ length: env.batch }, () => rng.nextSeed());
  env.reset(seeds());
  let t = 0;
  return () => {
    for (let k = 0; k < STEPS_PER_CALL; k++) {
      env.step(pool[k]);
      if (++t === episodeLength) {
        env.reset(seeds());
        t = 0;
      }
    }
  };
}

/** Measures every registered environment (or those named) at each of its bench batch sizes. */
export async function benchEnvironments(names: string[], timeMs: number): Promise<EnvBenchRow[]> {
  const rows: EnvBenchRow[] = [];
  for (const name of names) {
    const { def, options } = resolveEnvOptions(name, {});
    for (const batch of def.benchBatches ?? DEFAULT_BATCHES) {
      const env = await def.create(options, batch);
      try {
        const { call } = await measureLatencies({ call: stepper(env, batch) }, { timeMs, iterations: 10 });
        const stepMs = call.medianMs / STEPS_PER_CALL;
        rows.push({ env: name, taskId: env.spec.taskId, batch, stepsPerSecond: (batch * 1000) / stepMs, stepMicros: stepMs * 1000, samples: call.samples });
      } finally {
        env.dispose();
      }
    }
  }
  return rows;
}

export function registerBenchEnv(bench: Command): void {
  bench
    .command('env')
    .description('environment steps per second (copies × steps / s) for every registered environment at its bench batch sizes')
    .option('--env <names...>', 'only these environments (default: all registered)')
    .option('--time <ms>', 'measuring time per environment and batch size', integerAtLeast(1), 1000)
    .option('--json', 'print the rows as JSON')
    .action(async (opts: { env?: string[]; time: number; json?: boolean }, command: Command) => {
      await loadPlugins(command);
      const rows = await benchEnvironments(opts.env ?? environmentNames(), opts.time);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const header = ['task', 'batch', 'steps/s', 'µs/step call', 'samples'];
      const cells = rows.map((r) => [r.taskId, String(r.batch), Math.round(r.stepsPerSecond).toLocaleString('en-US'), r.stepMicros.toFixed(1), String(r.samples)]);
      const widths = header.map((h, k) => Math.max(h.length, ...cells.map((c) => c[k].length)));
      const line = (c: string[]) => c.map((v, k) => (k === 0 ? v.padEnd(widths[k]) : v.padStart(widths[k]))).join('  ');
      process.stdout.write(`${[line(header), ...cells.map(line)].join('\n')}\n`);
    });
}
