/** `om2p-bench datasets build`: trains (or reuses) MATD3 behaviour policies and writes the missing dataset levels (spec §3.1). */
import type { Command } from 'commander';
import { ensureDatasets } from '../data/build.ts';
import { LEVELS, type MediumExpertMode } from '../data/build-levels.ts';
import { BUILD_PRESETS } from '../data/build-presets.ts';
import { dataDir } from '../paths.ts';
import { wantsProgressBar } from '../progress.ts';
import { parseAssignments } from '../run/resolve.ts';
import { prepare } from './context.ts';
import { integerAtLeast, collect } from './options.ts';

interface BuildOptions {
  env: string;
  option?: string[];
  levels: string;
  preset: string;
  seed: number;
  mediumExpert: MediumExpertMode;
  progress: boolean;
  threads?: number;
}

export function registerDatasetsBuild(group: Command): void {
  group
    .command('build')
    .description('build dataset levels with MATD3 behaviour policies (cached per task, preset and seed; a second call reuses them)')
    .requiredOption('--env <name>', 'environment, e.g. simple_spread')
    .option('--option <key=value>', 'environment option (repeatable), e.g. --option numAgents=4', collect)
    .option('--levels <list>', 'comma-separated levels', LEVELS.join(','))
    .option('--preset <name>', `size preset: ${BUILD_PRESETS.join(' | ')}`, 'quick')
    .option('--seed <k>', 'dataset seed (folder seed_<k>_data)', integerAtLeast(0), 0)
    .option('--medium-expert <mode>', 'om2p (90 % medium + 10 % expert) | concat (D4RL: both whole)', 'om2p')
    .option('--threads <n>', 'threads the behaviour training spreads its agents over (same results for any count; default: one per core, at most one per agent)', integerAtLeast(1))
    .option('--no-progress', 'no progress bar: one line per checkpoint of the behaviour training instead')
    .action(async (opts: BuildOptions, command: Command) => {
      const { options } = await prepare(command);
      if (opts.mediumExpert !== 'om2p' && opts.mediumExpert !== 'concat') throw new Error(`--medium-expert must be om2p or concat, got '${opts.mediumExpert}'`);
      const started = Date.now();
      const report = await ensureDatasets({
        env: opts.env,
        envOptions: parseAssignments(opts.option),
        levels: opts.levels.split(',').map((s) => s.trim()).filter(Boolean),
        preset: opts.preset,
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
