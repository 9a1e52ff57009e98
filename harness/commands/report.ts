/** `om2p-bench report <dir>`: CSVs, paper tables and plots from `<dir>/cells/*.json`; prints the summary table and the paths. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_REPORT, writeReport, type ReportResult } from '../report/index.ts';
import { integerAtLeast } from './options.ts';

/** What the CLI prints after a report (also fits `matrix run --report`): the summary table, then every written file. */
export function reportText(result: ReportResult): string {
  return `${result.summaryMarkdown}\nwrote:\n${result.paths.map((path) => `  ${path}`).join('\n')}\n`;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write returns/summary/aggregate/memory/throughput CSVs, tables (Markdown, LaTeX) and SVG plots for a results folder')
    .argument('<dir>', 'results folder holding cells/*.json')
    .option('--seed <n>', 'root seed of the bootstrap confidence intervals', integerAtLeast(0), DEFAULT_REPORT.seed)
    .option('--reps <n>', 'bootstrap resamples per interval', integerAtLeast(1), DEFAULT_REPORT.reps)
    .action(async (dir: string, opts: { seed: number; reps: number }) => {
      const result = await writeReport(resolve(dir), { seed: opts.seed, reps: opts.reps });
      process.stdout.write(reportText(result));
    });
}
