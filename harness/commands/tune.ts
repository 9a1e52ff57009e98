/**
 * `om2p-bench tune budget|sweep`: the matrices' choices from committed runs (harness/report/tuning.ts). Each prints a
 * Markdown table and keeps it beside the run (`budget.md`, `sweep.md`); `tune sweep --into <spec>` writes the chosen
 * setting per dataset (or per task family, `--per family`) into a matrix spec's per-dataset config, `tune budget --into
 * <spec>` each curve's flat-from update into its per-dataset updates.
 */
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { writeFileAtomic } from '../files.ts';
import { readCells } from '../report/cells.ts';
import { plateauMarkdown, plateauTable, sweepChoices, sweepMarkdown, withBudgetChoices, withSweepChoices, type SweepScope } from '../report/tuning.ts';
import { readMatrixSpec, type MatrixSpec } from '../run/expand.ts';
import type { CellResult } from '../../contracts/types.ts';
import { validateOrThrow } from '../schema.ts';
import { warnCorrupt } from './report.ts';
import { integerAtLeast } from './options.ts';

export function registerTune(program: Command): void {
  const tune = program.command('tune').description("choose a matrix's budget and swept settings (Q weight, sampler) per dataset from committed runs");
  tune
    .command('budget')
    .description("per env × dataset × algorithm: the curve's plateau, the seeds' spread, and the first update from which the curve is flat")
    .argument('<dir>', 'results folder of long learning-curve runs (e.g. results/reference/convergence), ≥ 2 seeds per group')
    .option('--window <k>', 'evaluations that must lie within the spread for a curve to count as flat', integerAtLeast(1), 3)
    .option('--into <spec>', "write each group's flat-from update into this matrix spec's per-dataset updates (algorithms and environments it lists)")
    .action((dir: string, opts: { window: number; into?: string }) => {
      const rows = plateauTable(readRun(dir), opts.window);
      keepBeside(dir, 'budget.md', plateauMarkdown(rows, opts.window));
      if (opts.into) writeSpec(opts.into, withBudgetChoices(readMatrixSpec(opts.into), rows));
    });
  tune
    .command('sweep')
    .description(
      'per algorithm × env × dataset (or task family) of a sweep (of η, of the sampler), the setting with the best mean final ' +
        'stochastic score (ties: the first, e.g. the smaller η); the table also shows the noise-free score and the action spread',
    )
    .argument('<dir>', 'results folder of a sweep (e.g. results/reference/eta-sweep): each algorithm varies one or more config keys')
    .option('--last <k>', "evaluations averaged into a cell's final score", integerAtLeast(1), 3)
    .addOption(
      new Option('--per <scope>', 'one choice per dataset, or per task family (environment: the mean over its datasets)').choices(['dataset', 'family']).default('dataset'),
    )
    .option('--into <spec>', "write the chosen settings into this matrix spec's per-dataset config (algorithms and environments it lists; a family's to each of its datasets)")
    .action((dir: string, opts: { last: number; per: SweepScope; into?: string }) => {
      const choices = sweepChoices(readRun(dir), opts.last, opts.per);
      if (choices.length === 0) throw new Error(`${dir}: no algorithm ran with more than one config (not a sweep)`);
      keepBeside(dir, 'sweep.md', sweepMarkdown(choices, opts.last));
      if (opts.into) writeSpec(opts.into, withSweepChoices(readMatrixSpec(opts.into), choices));
    });
}

/** A run's cell results, warning about corrupt files (left out, as `report` does). */
function readRun(dir: string): CellResult[] {
  const { cells, corrupt } = readCells(resolve(dir));
  warnCorrupt(corrupt, false);
  return cells;
}

/** Validates the updated spec and replaces the file with it. */
function writeSpec(path: string, spec: MatrixSpec): void {
  validateOrThrow('om2p-bench/matrix-spec', spec, path);
  writeFileAtomic(path, `${JSON.stringify(spec, null, 2)}\n`);
  process.stdout.write(`wrote the chosen values into ${path}\n`);
}

/** Prints a table and keeps it as `<dir>/<file>`. */
function keepBeside(dir: string, file: string, text: string): void {
  const path = join(resolve(dir), file);
  writeFileAtomic(path, text);
  process.stdout.write(`${text}wrote: ${path}\n`);
}
