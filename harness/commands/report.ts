/**
 * `om2p-bench report <dir> [--compare <reference>] [--strict]`: CSVs, paper tables, plots and `index.html` from `<dir>/cells/*.json`;
 * prints the summary table and the paths, then, with `--compare`, whether the run reproduces the reference. The page's
 * episode viewer rolls trained agents out again, so the backend is chosen and plugins are loaded first (an algorithm from a
 * plugin replays only with its `--plugin`); dataset cards come from `--data-dir`.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { dataDir } from '../paths.ts';
import { DEFAULT_REPORT, writeReport, type ReportResult } from '../report/index.ts';
import { writeComparison, type ComparisonResult } from '../report/compare.ts';
import { missingText, type MissingCells } from '../run/missing.ts';
import { corruptWarning, type CorruptCellFile } from '../run/store.ts';
import { prepare } from './context.ts';
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

/** Warns (stderr) about the cells of the folder's matrix that have no result; with `strict`, they make the command exit 1. */
export function warnMissing(dir: string, missing: MissingCells | undefined, strict: boolean): void {
  if (!missing || missing.missing.length === 0) return;
  process.stderr.write(`${strict ? 'error' : 'warning'}: ${missingText(dir, missing)}`);
  if (strict) process.exitCode = 1;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write CSVs, tables (Markdown, LaTeX), SVG plots and index.html (tables, plots, episode viewer, datasets, provenance) for a results folder')
    .argument('<dir>', 'results folder holding cells/*.json')
    .option('--seed <n>', 'root seed of the bootstrap confidence intervals and of the episodes the page replays', integerAtLeast(0), DEFAULT_REPORT.seed)
    .option('--reps <n>', 'bootstrap resamples per interval', integerAtLeast(1), DEFAULT_REPORT.reps)
    .option('--efficiency <file>', 'a `bench algos` efficiency.csv to show (default: <dir>/efficiency.csv when present)')
    .option('--compare <reference>', 'also compare with a reference results folder (e.g. results/reference/quick): comparison.csv and a verdict')
    .option('--strict', "exit 1 when a cell file is corrupt (it is moved aside and left out either way) or a cell of the folder's matrix.json has no result")
    .action(async (dir: string, opts: { seed: number; reps: number; efficiency?: string; compare?: string; strict?: boolean }, command: Command) => {
      const global = (await prepare(command)).options;
      const options = { seed: opts.seed, reps: opts.reps };
      const result = await writeReport(resolve(dir), {
        ...options,
        dataDir: dataDir(global.dataDir),
        efficiency: opts.efficiency && resolve(opts.efficiency),
      });
      warnCorrupt(result.corrupt, opts.strict === true);
      warnMissing(dir, result.missing, opts.strict === true);
      process.stdout.write(reportText(result));
      if (opts.compare) {
        const comparison = writeComparison(resolve(dir), resolve(opts.compare), options);
        warnCorrupt(comparison.corrupt, opts.strict === true);
        process.stdout.write(`\n${comparisonText(comparison)}`);
      }
    });
}
