/**
 * `om2p-bench bench algos`: memory, update speed and sampling speed of every registered algorithm (and, with
 * `--ablations`, of om2p's derivative, diffusion's T and flow's K at both presets), side by side in one process;
 * writes efficiency.csv/.md/.tex (spec §5 last bullet; docs/efficiency.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import type { Command } from 'commander';
import { runEnvironment } from '../backend.ts';
import { runDir } from '../paths.ts';
import { benchAlgorithms } from '../measure/algos.ts';
import { kernelProfileMarkdown, writeEfficiencyOutputs } from '../report/algos-output.ts';
import { parseAssignments } from '../resolve.ts';
import { SIZE_PRESETS, type SizePreset } from '../../contracts/types.ts';
import { prepare } from './context.ts';
import { choiceOption, collect, deprecatedOption, integerAtLeast, withDeprecated } from './options.ts';

interface BenchAlgosOptions {
  env: string;
  option?: string[];
  algos?: string;
  ablations?: boolean;
  profile?: boolean;
  updates: number;
  evalBatch: number;
  seed: number;
  out: string;
}

export function registerBenchAlgos(bench: Command): void {
  const networkPreset = choiceOption('--network-preset <name>', 'network size preset of the main rows', SIZE_PRESETS, 'cpu');
  const oldPreset = deprecatedOption('--preset <name>', networkPreset);
  bench
    .command('algos')
    .description('peak update memory, update and action-sampling latency, evaluations per action; ratios to om2p')
    .option('--env <name>', 'environment whose learned-agent dimensions shape networks and batch', 'simple_spread')
    .option('--option <key=value>', 'environment option (repeatable), e.g. --option numAgents=4', collect)
    .addOption(networkPreset)
    .addOption(oldPreset)
    .option('--algos <a,b,...>', 'algorithms to measure (default: every registered one)')
    .option('--ablations', 'add om2p derivative fd/jvp/zero, diffusion T 5/10/20, flow K 1/5/10, each at cpu and paper')
    .option('--profile', 'also write profile.md: the kernels of one update per variant (count and backend ms by kernel name), and the kernels replayed without the framework')
    .option('--updates <n>', 'measured updates per variant (after a warm-up and the profiled update)', integerAtLeast(1), 10)
    .option('--eval-batch <n>', 'evaluation batch for action sampling (spec §5: E = 10 episodes)', integerAtLeast(1), 10)
    .option('--seed <k>', 'seed of networks and the synthetic batch', integerAtLeast(0), 0)
    .option('--out <dir>', 'output folder (default: runs/efficiency, git-ignored)', runDir('efficiency'))
    .action(async (opts: BenchAlgosOptions, command: Command) => {
      const preset = withDeprecated<SizePreset>(command, oldPreset, networkPreset);
      const { backend } = await prepare(command);
      const runtime = runEnvironment();
      const loadStart = loadavg()[0];
      process.stderr.write(`bench algos on ${opts.env}, backend ${backend}, tfjs ${runtime.tfjsVersion}, ${runtime.host.cores} cores\n`);
      const result = await benchAlgorithms(
        {
          env: opts.env,
          envOptions: parseAssignments(opts.option),
          preset,
          algorithms: opts.algos?.split(',').map((name) => name.trim()).filter(Boolean),
          ablations: opts.ablations ?? false,
          updates: opts.updates,
          evalBatch: opts.evalBatch,
          seed: opts.seed,
          replayKernels: opts.profile ?? false,
          onVariant: (variant, index, total) => process.stderr.write(`  [${index + 1}/${total}] ${variant.label}\n`),
        },
        runtime,
      );
      for (const failure of result.failures) process.stderr.write(`  not measured: ${failure.label}: ${failure.error}\n`);
      const written = writeEfficiencyOutputs(opts.out, result, { runtime, updates: opts.updates, loadAverage: { start: loadStart, end: loadavg()[0] } });
      if (opts.profile) {
        const path = join(opts.out, 'profile.md');
        writeFileSync(path, kernelProfileMarkdown(result.profiles, runtime));
        written.push(path);
      }
      process.stdout.write(`${readFileSync(written[1], 'utf8')}\n${written.map((path) => `→ ${path}`).join('\n')}\n`);
      if (result.failures.length > 0) process.exitCode = 1;
    });
}
