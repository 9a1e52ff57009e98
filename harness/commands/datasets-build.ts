/** `om2p-bench datasets build`: trains (or reuses) MATD3 behaviour policies and writes the missing dataset levels (spec §3.1). */
import type { Command } from 'commander';
import { ensureDatasets } from '../data/build.ts';
import { LEVELS, type MediumExpertMode } from '../data/build-levels.ts';
import { BUILD_PRESETS } from '../data/build-presets.ts';
import { dataDir } from '../paths.ts';
import { wantsProgressBar } from '../progress.ts';
import { parseAssignments } from '../resolve.ts';
import { prepare } from './context.ts';
import { choiceOption, collect, deprecatedOption, integerAtLeast, listOf, withDeprecated } from './options.ts';

interface BuildOptions {
  env: string;
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
    .requiredOption('--env <name>', 'environment, e.g. simple_spread')
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
      const started = Date.now();
      const report = await ensureDatasets({
        env: opts.env,
        envOptions: parseAssignments(opts.option),
        levels: opts.levels,
        preset,
        seed: opts.seed,
        dataDir: dataDir(options.dataDir),
        log: (line) => process.stderr.write(`${line}\n`),
        progress: wantsProgressBar(opts.progress),
        mediumExpert: opts.mediumExpert,
        threads: opts.threads,
      });
      const rows = Object.entries(report.returns).map(([level, r]) => `${level}: ${r!.toFixed(1)}${report.existing.includes(level as never) ? ' (existing)' : ''}`);
      process.stdout.write(`${report.taskId}: ${rows.join(', ')}; trained: ${report.trained ? 'yes' : 'no (cache)'}; ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    });
}
