/**
 * `om2p-bench tune budget|eta`: the quick matrix's two choices from committed runs (harness/report/tuning.ts). Each prints a
 * Markdown table and keeps it beside the run (`budget.md`, `eta.md`); `tune eta --into <spec>` writes the chosen η per
 * dataset into a matrix spec's `eta` tables.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../files.ts';
import { readCells } from '../report/cells.ts';
import { etaChoices, etaMarkdown, plateauMarkdown, plateauTable, withEtaTable } from '../report/tuning.ts';
import { readMatrixSpec } from '../run/expand.ts';
import { validateOrThrow } from '../schema.ts';
import { warnCorrupt } from './report.ts';
import { integerAtLeast } from './options.ts';

export function registerTune(program: Command): void {
  const tune = program.command('tune').description("choose the quick matrix's budget and η per dataset from committed runs");
  tune
    .command('budget')
    .description("per env × dataset × algorithm: the curve's plateau, the seeds' spread, and the first update from which the curve is flat")
    .argument('<dir>', 'results folder of long learning-curve runs (e.g. results/reference/convergence), ≥ 2 seeds per group')
    .option('--window <k>', 'evaluations that must lie within the spread for a curve to count as flat', integerAtLeast(1), 3)
    .action((dir: string, opts: { window: number }) => {
      const { cells, corrupt } = readCells(resolve(dir));
      warnCorrupt(corrupt, false);
      const text = plateauMarkdown(plateauTable(cells, opts.window), opts.window);
      writeFileAtomic(join(resolve(dir), 'budget.md'), text);
      process.stdout.write(`${text}wrote: ${join(resolve(dir), 'budget.md')}\n`);
    });
  tune
    .command('eta')
    .description('per algorithm × env × dataset of an η sweep, the η with the best mean final score (ties: the smaller η)')
    .argument('<dir>', 'results folder of an η sweep (e.g. runs/eta-sweep): cells whose config sets eta')
    .option('--last <k>', 'evaluations averaged into a cell\'s final score', integerAtLeast(1), 3)
    .option('--into <spec>', "write the chosen η into this matrix spec's per-dataset eta tables (algorithms it lists)")
    .action((dir: string, opts: { last: number; into?: string }) => {
      const { cells, corrupt } = readCells(resolve(dir));
      warnCorrupt(corrupt, false);
      const choices = etaChoices(cells, opts.last);
      if (choices.length === 0) throw new Error(`${dir}: no cell sets eta in its config (not an η sweep)`);
      const text = etaMarkdown(choices, opts.last);
      writeFileAtomic(join(resolve(dir), 'eta.md'), text);
      process.stdout.write(`${text}wrote: ${join(resolve(dir), 'eta.md')}\n`);
      if (opts.into) {
        const spec = withEtaTable(readMatrixSpec(opts.into), choices);
        validateOrThrow('om2p-bench/matrix-spec', spec, opts.into);
        writeFileAtomic(opts.into, `${JSON.stringify(spec, null, 2)}\n`);
        process.stdout.write(`wrote the η tables into ${opts.into}\n`);
      }
    });
}
