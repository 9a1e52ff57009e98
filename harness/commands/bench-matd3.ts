/**
 * `om2p-bench bench matd3`: one MATD3 update of the dataset builder's behaviour learner (the preset's networks and minibatch,
 * random rows) on 1 … n threads, side by side in one process. The update is what a dataset build spends its time on.
 * Critic-only updates and updates with the delayed actor step alternate, so each timed sample is one whole cycle of
 * `policyDelay` updates and the median is per update over cycles.
 */
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import type { Matd3 } from '../registry.ts';
import { BUILD_PRESETS, buildPreset } from '../data/build-presets.ts';
import { matd3Space } from '../data/build-train.ts';
import { createThreadedMatd3, defaultThreads } from '../data/matd3-threads.ts';
import { learnedSpace, syntheticBatch } from '../measure/algos.ts';
import { measureLatencies } from '../measure/latency.ts';
import { createRng } from '../../contracts/rng.ts';
import type { StateBatch } from '../../contracts/types.ts';
import { prepare } from './context.ts';
import { choiceOption, deprecatedOption, integerAtLeast, withDeprecated } from './options.ts';

interface BenchMatd3Options {
  env: string;
  threads?: string;
  iterations: number;
  json?: boolean;
}

function threadCounts(text: string | undefined, agents: number): number[] {
  if (text === undefined) return [...new Set([1, defaultThreads(agents)])];
  return text.split(',').map((part) => {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--threads: '${part}' is not a positive integer`);
    return n;
  });
}

export function registerBenchMatd3(bench: Command): void {
  const datasetPreset = choiceOption('--dataset-preset <name>', 'dataset size preset whose MATD3 config is measured', BUILD_PRESETS, 'quick');
  const oldPreset = deprecatedOption('--preset <name>', datasetPreset);
  bench
    .command('matd3')
    .description("MATD3 update of the dataset builder (the preset's networks and minibatch) on 1 … n threads")
    .option('--env <name>', 'environment whose learned agents shape the networks', 'halfcheetah-2x3')
    .addOption(datasetPreset)
    .addOption(oldPreset)
    .option('--threads <list>', 'comma-separated thread counts (default: 1 and one per core, at most one per agent)')
    .option('--iterations <n>', 'minimum measured updates per thread count', integerAtLeast(1), 60)
    .option('--json', 'print one JSON object')
    .action(async (opts: BenchMatd3Options, command: Command) => {
      const preset = withDeprecated<string>(command, oldPreset, datasetPreset);
      const { backend } = await prepare(command);
      const { spec, space: learned } = await learnedSpace(opts.env);
      const config = buildPreset(opts.env, preset).matd3;
      const space = matd3Space(spec, config);
      const counts = threadCounts(opts.threads, space.obsDims.length);
      const rng = createRng(1);
      const rows = config.batchSize;
      const batch = syntheticBatch(learned, rows, rng);
      const uniform = (cols: number) => tf.tensor2d(Float32Array.from({ length: rows * cols }, () => rng.range(-1, 1)), [rows, cols]);
      const states: StateBatch | undefined = space.stateDim ? { states: uniform(space.stateDim), nextStates: uniform(space.stateDim) } : undefined;
      const agents: Matd3[] = counts.map((threads) => createThreadedMatd3(space, config, createRng(0), threads));
      let results;
      try {
        const tasks = Object.fromEntries(counts.map((threads, k) => [`${threads}`, () => agents[k].update(batch, states)]));
        const cycle = config.policyDelay;
        results = await measureLatencies(tasks, { iterations: Math.ceil(opts.iterations / cycle), callsPerSample: cycle, warmupTimeMs: 1_000, async: true });
      } finally {
        for (const agent of agents) agent.dispose();
        tf.dispose([...batch.flatMap((b) => Object.values(b)), ...(states ? Object.values(states) : [])]);
      }
      const single = results['1']?.medianMs;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ backend, taskId: spec.taskId, preset, hidden: config.hidden, batchSize: rows, results }, null, 2)}\n`);
        return;
      }
      const lines = [`backend ${backend}: MATD3 update on ${spec.taskId} (${preset}: ${space.obsDims.length} agents, ${config.hidden.join('×')}, batch ${rows}), median per update over cycles of ${config.policyDelay} updates, ≥${opts.iterations} updates after ≥1 s warm-up`];
      for (const threads of counts) {
        const r = results[`${threads}`];
        const speedup = single !== undefined ? `  ${(single / r.medianMs).toFixed(2)}× of 1 thread` : '';
        lines.push(`  ${threads} thread${threads > 1 ? 's' : ' '}  ${r.medianMs.toFixed(2)} ms  (mean ${r.meanMs.toFixed(2)}, n=${r.samples})${speedup}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
