/**
 * `report <run> --compare <reference>`: whether a run reproduces a reference run, per report group (task × dataset ×
 * algorithm). A group is reproduced when
 *   - bit-identical: both sides hold the same cells (same ids, so the same full specs and seeds) and every cell has the
 *     same backend and the same reproducible part as `matrix merge` checks (`resultFingerprint`: status, the whole learning
 *     curve — hence the last and best scores — and losses; never wall times, efficiency numbers or host; against a reference
 *     whose cells predate the sampler measurements, the run's noise-free scores and action spreads are left out), or else
 *   - within-ci: the run's mean normalised last score lies inside the reference's 95 % bootstrap CI of that mean (the CI
 *     summary.csv carries, from the same bootstrap stream). This is the check across backends, seeds or budgets.
 * Groups on one side only are kept as `missing-in-run` / `missing-in-reference`, so nothing is dropped silently.
 */
import { join } from 'node:path';
import { canonicalJson } from '../canonical.ts';
import { resultFingerprint, type CorruptCellFile } from '../run/store.ts';
import type { CellResult } from '../../contracts/types.ts';
import { cellGroupKey, groupBy, groupKey, labelCells, readCells, sortGroups } from './cells.ts';
import { writeCsv } from './csv.ts';
import { reportSummary, type ReportOptions, type SummaryRow } from './index.ts';
import { renderTable, type Table } from './table.ts';

/** A group's verdict; the schema's `verdict` column says what each means. */
export type Verdict = 'bit-identical' | 'within-ci' | 'outside-ci' | 'no-scores' | 'missing-in-run' | 'missing-in-reference';

/** The verdicts that count as reproducing the reference. */
const REPRODUCED: readonly Verdict[] = ['bit-identical', 'within-ci'];

/** What the comparison measures about one group; its verdict follows from these. */
interface GroupMeasures {
  taskId: string;
  env: string;
  dataset: string;
  algorithm: string;
  runCells: number;
  referenceCells: number;
  identicalCells: number;
  runN: number;
  referenceN: number;
  runMean?: number;
  referenceMean?: number;
  referenceCiLow?: number;
  referenceCiHigh?: number;
}

/** One row of comparison.csv (columns documented in schemas/csv-comparison.schema.json). */
export interface ComparisonRow extends GroupMeasures {
  [column: string]: string | number | undefined;
  verdict: Verdict;
}

export interface ComparisonResult {
  rows: ComparisonRow[];
  /** One line, e.g. "reproduced 12/12 groups, 24/24 cells bit-identical". */
  verdict: string;
  /** The comparison table as Markdown, for printing. */
  markdown: string;
  /** `<run>/comparison.csv`. */
  path: string;
  /** Cell files of either folder that did not parse or validate: moved aside and left out. */
  corrupt: CorruptCellFile[];
}

/** One side of the comparison: its cells and summary rows by group key. */
interface Side {
  cells: Map<string, CellResult[]>;
  summary: Map<string, SummaryRow>;
}

function side(cells: readonly CellResult[], options: Partial<ReportOptions>): Side {
  const labelled = labelCells(cells);
  const byGroup = groupBy(labelled, cellGroupKey);
  const summary = reportSummary(labelled, options);
  return {
    cells: new Map([...byGroup].map(([key, members]) => [key, members.map(({ cell }) => cell)])),
    summary: new Map(summary.map((row) => [groupKey(row.taskId, row.dataset, row.algorithm), row])),
  };
}

/** One row per group of either side, in report order; `options` are the report's bootstrap seed and resamples. */
function compareCells(run: readonly CellResult[], reference: readonly CellResult[], options: Partial<ReportOptions> = {}): ComparisonRow[] {
  const [mine, theirs] = [side(run, options), side(reference, options)];
  const keys = new Set([...theirs.summary.keys(), ...mine.summary.keys()]);
  return sortGroups([...keys].map((key) => compareGroup(mine, theirs, key)));
}

function compareGroup(run: Side, reference: Side, key: string): ComparisonRow {
  const [runRow, referenceRow] = [run.summary.get(key), reference.summary.get(key)];
  const [runCells, referenceCells] = [run.cells.get(key) ?? [], reference.cells.get(key) ?? []];
  const byId = new Map(referenceCells.map((cell) => [cell.cellId, cell]));
  const identicalCells = runCells.filter((cell) => {
    const theirs = byId.get(cell.cellId);
    return theirs !== undefined && reproducible(theirs) === reproducible(measuredAs(cell, theirs));
  }).length;
  const { taskId, env, dataset, algorithm } = (referenceRow ?? runRow)!;
  const row: GroupMeasures = {
    taskId,
    env,
    dataset,
    algorithm,
    runCells: runCells.length,
    referenceCells: referenceCells.length,
    identicalCells,
    runN: runRow?.n ?? 0,
    referenceN: referenceRow?.n ?? 0,
    runMean: runRow?.normalisedMean as number | undefined,
    referenceMean: referenceRow?.normalisedMean as number | undefined,
    referenceCiLow: referenceRow?.normalisedCiLow as number | undefined,
    referenceCiHigh: referenceRow?.normalisedCiHigh as number | undefined,
  };
  return { ...row, verdict: verdictOf(row) };
}

/**
 * What must be equal for a cell to be bit-identical: merge's reproducible part plus the backend for every status (merge's
 * fingerprint leaves it out of failed and diverged cells, but a result from another backend never counts as bit-identical).
 */
function reproducible(cell: CellResult): string {
  return canonicalJson({ backend: cell.runtime.backend, result: resultFingerprint(cell) });
}

/**
 * `cell` with only what `reference` measured: a reference written before cells measured their sampler (no `sampler` record)
 * is compared on the protocol's part alone, which those measurements never change (they draw from streams of their own).
 */
function measuredAs(cell: CellResult, reference: CellResult): CellResult {
  if (cell.status === 'failed' || ('sampler' in reference && reference.sampler !== undefined)) return cell;
  const { sampler: _sampler, ...rest } = cell;
  const curve = cell.curve.map(({ noiseFree: _noiseFree, actionSpread: _spread, ...point }) => point);
  return { ...rest, curve } as CellResult;
}

function verdictOf(row: GroupMeasures): Verdict {
  if (row.runCells === 0) return 'missing-in-run';
  if (row.referenceCells === 0) return 'missing-in-reference';
  if (row.identicalCells === row.runCells && row.identicalCells === row.referenceCells) return 'bit-identical';
  if (row.runMean === undefined || row.referenceCiLow === undefined || row.referenceCiHigh === undefined) return 'no-scores';
  return row.runMean >= row.referenceCiLow && row.runMean <= row.referenceCiHigh ? 'within-ci' : 'outside-ci';
}

/** The one-line verdict: reproduced groups and bit-identical cells out of the reference's, then what is missing. */
function comparisonVerdict(rows: readonly ComparisonRow[]): string {
  const referenceGroups = rows.filter((row) => row.referenceCells > 0);
  const reproduced = rows.filter((row) => REPRODUCED.includes(row.verdict)).length;
  const identical = rows.reduce((sum, row) => sum + row.identicalCells, 0);
  const referenceCells = rows.reduce((sum, row) => sum + row.referenceCells, 0);
  const parts = [`reproduced ${reproduced}/${referenceGroups.length} groups, ${identical}/${referenceCells} cells bit-identical`];
  const missing = rows.filter((row) => row.verdict === 'missing-in-run').length;
  const extra = rows.filter((row) => row.verdict === 'missing-in-reference').length;
  if (missing > 0) parts.push(`${missing} group(s) missing in the run`);
  if (extra > 0) parts.push(`${extra} group(s) missing in the reference`);
  return parts.join('; ');
}

function comparisonTable(rows: readonly ComparisonRow[]): Table {
  return {
    caption:
      'Run against reference, per group: bit-identical (same cells, identical curves, losses and backend), else whether the ' +
      "run's mean normalised last score lies inside the reference's 95 % bootstrap CI (within-ci / outside-ci).",
    keyHeaders: ['Task', 'Dataset', 'Algorithm'],
    valueHeaders: ['Verdict', 'Cells run / ref.', 'Bit-identical', 'Run mean', 'Ref. mean', 'Ref. 95 % CI'],
    rows: rows.map((row) => ({
      keys: [row.taskId, row.dataset, row.algorithm],
      cells: [
        { text: row.verdict },
        { text: `${row.runCells} / ${row.referenceCells}` },
        { text: String(row.identicalCells) },
        row.runMean === undefined ? undefined : { value: row.runMean },
        row.referenceMean === undefined ? undefined : { value: row.referenceMean },
        row.referenceCiLow === undefined ? undefined : { interval: [row.referenceCiLow, row.referenceCiHigh!] },
      ],
    })),
  };
}

/**
 * Compares the cells of `runDir` with those of `referenceDir` (either without cell results is an error naming it), writes
 * `<runDir>/comparison.csv` (rows schema-checked) and returns the rows, the verdict line and the table.
 */
export function writeComparison(runDir: string, referenceDir: string, options: Partial<ReportOptions> = {}): ComparisonResult {
  const [run, reference] = [readCells(runDir), readCells(referenceDir)];
  const rows = compareCells(run.cells, reference.cells, options);
  const path = join(runDir, 'comparison.csv');
  writeCsv(path, 'comparison', rows);
  return { rows, verdict: comparisonVerdict(rows), markdown: renderTable(comparisonTable(rows), 'md'), path, corrupt: [...run.corrupt, ...reference.corrupt] };
}
