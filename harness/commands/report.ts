/**
 * `om2p-bench report <dir> [--compare <reference>]`: CSVs, paper tables and plots from `<dir>/cells/*.json`; prints the summary
 * table and the paths, then, with `--compare`, whether the run reproduces the reference.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_REPORT, writeReport, type ReportResult } from '../report/index.ts';
import { writeComparison, type ComparisonResult } from '../report/compare.ts';
import { corruptWarning, type CorruptCellFile } from '../run/store.ts';
import { integerAtLeast } from './options.ts';

/** What the CLI prints after a report (also fits `matrix run --report`): the summary table, then every written file. */
export function reportText(result: ReportResult): string {
  return `${result.summaryMarkdown}\nwrote:\n${result.paths.map((path) => `  ${path}`).join('\n')}\n`;
}

/** What the CLI prints after `--compare` (report and `matrix run`): the comparison table, the file, then the verdict line last. */
export function comparisonText(result: ComparisonResult): string {
  return `${result.markdown}\nwrote: ${result.path}\n${result.verdict}\n`;
}

/** Warns (stderr) about each corrupt cell file left out; with `strict`, they make the command exit 1. */
export function warnCorrupt(files: CorruptCellFile[], strict: boolean): void {
  for (const file of files) process.stderr.write(`${corruptWarning(file, 'its cell is left out')}\n`);
  if (strict && files.length > 0) {
    process.stderr.write(`--strict: ${files.length} corrupt cell file(s) left out\n`);
    process.exitCode = 1;
  }
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write returns/summary/aggregate/memory/throughput CSVs, tables (Markdown, LaTeX) and SVG plots for a results folder')
    .argument('<dir>', 'results folder holding cells/*.json')
    .option('--seed <n>', 'root seed of the bootstrap confidence intervals', integerAtLeast(0), DEFAULT_REPORT.seed)
    .option('--reps <n>', 'bootstrap resamples per interval', integerAtLeast(1), DEFAULT_REPORT.reps)
    .option('--compare <reference>', 'also compare with a reference results folder (e.g. results/reference/quick): comparison.csv and a verdict')
    .option('--strict', 'exit 1 when a cell file is corrupt (it is moved aside and left out either way)')
    .action(async (dir: string, opts: { seed: number; reps: number; compare?: string; strict?: boolean }) => {
      const options = { seed: opts.seed, reps: opts.reps };
      const result = await writeReport(resolve(dir), options);
      warnCorrupt(result.corrupt, opts.strict === true);
      process.stdout.write(reportText(result));
      if (opts.compare) {
        const comparison = writeComparison(resolve(dir), resolve(opts.compare), options);
        warnCorrupt(comparison.corrupt, opts.strict === true);
        process.stdout.write(`\n${comparisonText(comparison)}`);
      }
    });
}
