/**
 * `om2p-bench train`: one cell (algorithm × env × dataset × seed), in this process, written as a schema-valid CellResult;
 * a finished cell's trained agent goes beside it (`--out cell.json` → `cell.safetensors`).
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { LEVELS } from '../data/build-levels.ts';
import { BUILD_PRESETS } from '../data/build-presets.ts';
import { dataDir } from '../paths.ts';
import { runCell } from '../run/cell.ts';
import { writePolicyFile } from '../run/policy-file.ts';
import { parseAssignments } from '../resolve.ts';
import { writeCellFile } from '../run/store.ts';
import { getAlgorithm, getEnvironment } from '../registry.ts';
import { SIZE_PRESETS, type CellSpec, type EvalPoint, type SizePreset } from '../../contracts/types.ts';
import { meanActionSpread } from '../report/sampler.ts';
import { prepare } from './context.ts';
import { choiceOption, collect, deprecatedOption, integerAtLeast, withDeprecated } from './options.ts';

interface TrainOptions {
  algo: string;
  env: string;
  dataset?: string;
  data?: string;
  datasetPreset: string;
  seed: number;
  evalEvery: number;
  episodes: number;
  set?: string[];
  option?: string[];
  out: string;
}

export function registerTrain(program: Command): void {
  const networkPreset = choiceOption('--network-preset <name>', 'network size preset', SIZE_PRESETS, 'cpu');
  const oldPreset = deprecatedOption('--preset <name>', networkPreset);
  const updates = new Option('--updates <n>', 'gradient updates').argParser(integerAtLeast(1)).default(10_000);
  const oldSteps = deprecatedOption('--steps <n>', updates);
  program
    .command('train')
    .description('train and evaluate one cell on a built dataset (or an OMAR-layout folder) and write its CellResult')
    .requiredOption('--algo <name>', 'algorithm (om2p, diffusion, flow, fql, bc, td3bc, or a plugin)')
    .requiredOption('--env <name>', 'environment (simple_spread, simple_tag, simple_world, halfcheetah-2x3)')
    .addOption(choiceOption('--dataset <level>', 'dataset level built by `datasets build`', LEVELS))
    .option('--data <path>', 'an OMAR-layout folder (…/seed_<k>_data) instead of a built level')
    .addOption(choiceOption('--dataset-preset <name>', 'dataset size preset it was built with', BUILD_PRESETS, 'quick'))
    .option('--seed <k>', 'seed of the cell', integerAtLeast(0), 0)
    .addOption(updates)
    .addOption(oldSteps)
    .option('--eval-every <m>', 'evaluate after update 1 and every m updates', integerAtLeast(1), 1_000)
    .option('--episodes <e>', 'evaluation episodes (run as one batch)', integerAtLeast(1), 10)
    .addOption(networkPreset)
    .addOption(oldPreset)
    .option('--set <key=value>', 'algorithm config override (repeatable), e.g. --set eta=0.1', collect)
    .option('--option <key=value>', 'environment option (repeatable), e.g. --option numAgents=4', collect)
    .requiredOption('--out <file>', 'where to write the CellResult JSON')
    .action(async (opts: TrainOptions, command: Command) => {
      const preset = withDeprecated<SizePreset>(command, oldPreset, networkPreset);
      const budgetUpdates = withDeprecated<number>(command, oldSteps, updates);
      const { backend, options } = await prepare(command);
      const dataset = opts.data ?? opts.dataset;
      if (!dataset) throw new Error('give --dataset <level> or --data <path>');
      // Names that only the registry knows (plugins included) are checked before any work, as the parser checks the rest.
      getAlgorithm(opts.algo);
      getEnvironment(opts.env);
      const spec: CellSpec = {
        algorithm: opts.algo,
        config: parseAssignments(opts.set),
        preset,
        env: opts.env,
        envOptions: parseAssignments(opts.option),
        dataset: opts.data ? resolve(opts.data) : dataset,
        datasetPreset: opts.datasetPreset,
        seed: opts.seed,
        budget: { updates: budgetUpdates, evalEvery: opts.evalEvery, episodes: opts.episodes },
      };
      process.stderr.write(`train ${spec.algorithm} on ${spec.env}/${dataset} seed ${spec.seed}, backend ${backend}\n`);
      const weightsFile = `${opts.out.replace(/\.json$/, '')}.safetensors`;
      const result = await runCell(spec, {
        dataDir: dataDir(options.dataDir),
        onTrained: (policy) => writePolicyFile(weightsFile, policy),
        onEval: (p) => process.stderr.write(`  update ${p.update}: return ${p.returnMean.toFixed(2)} ± ${p.returnSd.toFixed(2)} (normalised ${p.normalised.toFixed(1)})${samplerText(p)}\n`),
      });
      writeCellFile(opts.out, result);
      const line =
        result.status === 'done'
          ? `done: last ${result.last.returnMean.toFixed(2)} (norm ${result.last.normalised.toFixed(1)}), best ${result.best.returnMean.toFixed(2)}, ${(result.wallMs / 1000).toFixed(1)} s`
          : result.status === 'diverged'
            ? `diverged: ${result.lossName} non-finite at update ${result.step}`
            : `failed: ${result.error}`;
      process.stdout.write(`${line}\n→ ${opts.out}${result.status === 'done' ? ` and ${weightsFile}` : ''}\n`);
      if (result.status !== 'done') process.exitCode = 1;
    });
}

/** The sampler measurements of an evaluation point as the progress line shows them (issue 23). */
function samplerText(point: EvalPoint): string {
  const free = point.noiseFree ? `; noise-free ${point.noiseFree.normalised.toFixed(1)}` : '';
  const spread = meanActionSpread(point);
  return `${free}${spread === undefined ? '' : `; action spread ${spread.toFixed(3)}`}`;
}
