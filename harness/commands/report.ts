/**
 * `om2p-bench report <dir>`: CSVs, paper tables, plots and `index.html` from `<dir>/cells/*.json`; prints the summary table
 * and the paths. The page's episode viewer rolls trained agents out again, so the backend is chosen and plugins are
 * loaded first (an algorithm from a plugin replays only with its `--plugin`); dataset cards come from `--data-dir`.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { dataDir } from '../paths.ts';
import { DEFAULT_REPORT, writeReport, type ReportResult } from '../report/index.ts';
import { prepare } from './context.ts';
import { integerAtLeast } from './options.ts';

/** What the CLI prints after a report (also fits `matrix run --report`): the summary table, then every written file. */
export function reportText(result: ReportResult): string {
  return `${result.summaryMarkdown}\nwrote:\n${result.paths.map((path) => `  ${path}`).join('\n')}\n`;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write CSVs, tables (Markdown, LaTeX), SVG plots and index.html (tables, plots, episode viewer, datasets, provenance) for a results folder')
    .argument('<dir>', 'results folder holding cells/*.json')
    .option('--seed <n>', 'root seed of the bootstrap confidence intervals and of the episodes the page replays', integerAtLeast(0), DEFAULT_REPORT.seed)
    .option('--reps <n>', 'bootstrap resamples per interval', integerAtLeast(1), DEFAULT_REPORT.reps)
    .option('--efficiency <file>', 'a `bench algos` efficiency.csv to show (default: <dir>/efficiency.csv when present)')
    .action(async (dir: string, opts: { seed: number; reps: number; efficiency?: string }, command: Command) => {
      const { options } = await prepare(command);
      const result = await writeReport(resolve(dir), {
        seed: opts.seed,
        reps: opts.reps,
        dataDir: dataDir(options.dataDir),
        efficiency: opts.efficiency && resolve(opts.efficiency),
      });
      process.stdout.write(reportText(result));
    });
}
