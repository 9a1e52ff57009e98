/**
 * `om2p-bench datasets build`: trains (or reuses) MATD3 behaviour policies and writes the missing dataset levels (spec §3.1),
 * for one environment (`--env`) or for every dataset a matrix spec needs (`--for`: a cluster's first job, before the array).
 */
import type { Command } from 'commander';
import { ensureDatasets } from '../data/build.ts';
import { LEVELS, type MediumExpertMode } from '../data/build-levels.ts';
import { BUILD_PRESETS } from '../data/build-presets.ts';
import { dataDir } from '../paths.ts';
import { wantsProgressBar } from '../progress.ts';
import { parseAssignments } from '../resolve.ts';
import { expandMatrix, readMatrixSpec } from '../run/expand.ts';
import { buildDatasetsFor } from '../run/matrix.ts';
import { prepare } from './context.ts';
import { choiceOption, collect, deprecatedOption, integerAtLeast, listOf, withDeprecated } from './options.ts';

interface BuildOptions {
  env?: string;
  for?: string;
  option?: string[];
  levels: string[];
  seed: number;
  mediumExpert: MediumExpertMode;
  progress: boolean;
  threads?: number;
}

export function registerDatasetsBuild(group: Command): void {
  const datasetPreset = choiceOption('--dataset-preset <name>', 'dataset size preset', BUILD_PRESETS, 'quick');
  const oldPreset = deprecatedOption('--preset <name>', datasetPreset);
  group
    .command('build')
    .description('build dataset levels with MATD3 behaviour policies (cached per task, preset and seed; a second call reuses them)')
    .option('--env <name>', 'environment, e.g. simple_spread')
    .option('--for <spec>', 'instead of --env and its options: every dataset the matrix spec needs (its datasetPreset, seed 0)')
    .option('--option <key=value>', 'environment option (repeatable), e.g. --option numAgents=4', collect)
    .option('--levels <list>', `comma-separated levels (of ${LEVELS.join(', ')})`, listOf(LEVELS), [...LEVELS])
    .addOption(datasetPreset)
    .addOption(oldPreset)
    .option('--seed <k>', 'dataset seed (folder seed_<k>_data)', integerAtLeast(0), 0)
    .addOption(choiceOption('--medium-expert <mode>', 'om2p (90 % medium + 10 % expert) or concat (D4RL: both whole)', ['om2p', 'concat'], 'om2p'))
    .option('--threads <n>', 'threads the behaviour training spreads its agents over (same results for any count; default: one per core, at most one per agent)', integerAtLeast(1))
    .option('--no-progress', 'no progress bar: one line per checkpoint of the behaviour training instead')
    .action(async (opts: BuildOptions, command: Command) => {
      const preset = withDeprecated<string>(command, oldPreset, datasetPreset);
      const { options } = await prepare(command);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      if (opts.for !== undefined) {
        const given = ['env', 'option', 'levels', 'datasetPreset', 'preset', 'seed', 'mediumExpert'].filter((name) => command.getOptionValueSource(name) === 'cli');
        if (given.length > 0) throw new Error(`--for takes the environments, levels and preset from the spec; drop ${given.map(flag).join(', ')}`);
        const matrix = readMatrixSpec(opts.for);
        const started = Date.now();
        await buildDatasetsFor(matrix, expandMatrix(matrix), { dataDir: dataDir(options.dataDir), log, progress: wantsProgressBar(opts.progress), threads: opts.threads });
        process.stdout.write(`datasets for ${opts.for}: ready in ${dataDir(options.dataDir)}; ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
        return;
      }
      if (opts.env === undefined) throw new Error('datasets build needs --env <name> (one environment) or --for <spec> (every dataset of a matrix spec)');
      const started = Date.now();
      const report = await ensureDatasets({
        env: opts.env,
        envOptions: parseAssignments(opts.option),
        levels: opts.levels,
        preset,
        seed: opts.seed,
        dataDir: dataDir(options.dataDir),
        log,
        progress: wantsProgressBar(opts.progress),
        mediumExpert: opts.mediumExpert,
        threads: opts.threads,
      });
      const rows = Object.entries(report.returns).map(([level, r]) => `${level}: ${r!.toFixed(1)}${report.existing.includes(level as never) ? ' (existing)' : ''}`);
      process.stdout.write(`${report.taskId}: ${rows.join(', ')}; trained: ${report.trained ? 'yes' : 'no (cache)'}; ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    });
}

/** `mediumExpert` → `--medium-expert`. */
function flag(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
