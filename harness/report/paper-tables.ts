/**
 * The paper-layout tables (docs/design.md "Reports"): returns (normalised and raw, rows task × dataset, one column per
 * algorithm, mean ± sd over finished seeds, best mean in bold), peak update memory and update time with their
 * ratio to om2p, the across-task aggregates, and the long summary the CLI prints. Each is a `Table`, written as `.md` and
 * `.tex` and shown in `index.html`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_ALGORITHM } from '../registry.ts';
import { orderAlgorithms } from './cells.ts';
import type { AggregateRow } from './aggregate.ts';
import type { EfficiencyRow, SummaryRow } from './rows.ts';
import { formatNumber, renderTable, type Table, type TableCell, type TableFormat } from './table.ts';

interface PivotOptions<R> {
  caption: string;
  keyHeaders: string[];
  /** Row keys of a source row (e.g. [taskId, dataset]). */
  keysOf: (row: R) => string[];
  algorithmOf: (row: R) => string;
  /** The cell of a source row, or undefined when it has nothing to show. */
  cellOf: (row: R) => TableCell | undefined;
  /** Which way is best, for the bold cell of each table row. */
  better: 'higher' | 'lower';
  /** Adds `value / om2p value` to the other algorithms' cells (memory ratio, speed-up). */
  ratioToReference: boolean;
}

/** Rows × algorithm columns from long-format rows; the best value of each row is bold (all of them on a tie). */
function pivot<R>(source: readonly R[], options: PivotOptions<R>): Table {
  const algorithms = orderAlgorithms(source.map(options.algorithmOf));
  const byKeys = new Map<string, { keys: string[]; cells: Map<string, TableCell> }>();
  for (const row of source) {
    const keys = options.keysOf(row);
    const id = JSON.stringify(keys);
    const entry = byKeys.get(id) ?? { keys, cells: new Map<string, TableCell>() };
    const cell = options.cellOf(row);
    if (cell) entry.cells.set(options.algorithmOf(row), cell);
    byKeys.set(id, entry);
  }
  const rows = [...byKeys.values()].map(({ keys, cells }) => {
    const values = [...cells.values()].map((cell) => cell.value!);
    const best = options.better === 'higher' ? Math.max(...values) : Math.min(...values);
    const reference = cells.get(REFERENCE_ALGORITHM)?.value;
    return {
      keys,
      cells: algorithms.map((algorithm) => {
        const cell = cells.get(algorithm);
        if (!cell) return undefined;
        const ratio = options.ratioToReference && reference && algorithm !== REFERENCE_ALGORITHM ? cell.value! / reference : undefined;
        return { ...cell, ratio, bold: cell.value === best };
      }),
    };
  });
  return { caption: options.caption, keyHeaders: options.keyHeaders, valueHeaders: algorithms, rows };
}

const RETURNS_CAPTIONS = {
  normalised: 'Normalised score (100 = expert, 0 = random; spec §1.6), the protocol\'s evaluation with fresh noise,',
  return: 'Raw return, the protocol\'s evaluation with fresh noise,',
  noiseFree: 'Noise-free normalised score (the same episodes with the policy\'s noise set to zero: ε = 0, the chain from zero noise; a deterministic policy\'s own score)',
} as const;

function returnsTable(summary: readonly SummaryRow[], prefix: keyof typeof RETURNS_CAPTIONS): Table {
  return pivot(summary, {
    caption: `${RETURNS_CAPTIONS[prefix]} at the last evaluation: mean ± sd over finished seeds; best mean in bold; — no finished seed${prefix === 'noiseFree' ? ' or not measured' : ''}.`,
    keyHeaders: ['Task', 'Dataset'],
    keysOf: (row) => [row.taskId, row.dataset],
    algorithmOf: (row) => row.algorithm,
    cellOf: (row) => {
      const value = row[`${prefix}Mean`] as number | undefined;
      return value === undefined ? undefined : { value, spread: row[`${prefix}Sd`] as number | undefined };
    },
    better: 'higher',
    ratioToReference: false,
  });
}

function efficiencyTable(rows: readonly EfficiencyRow[], caption: string, valueOf: (row: EfficiencyRow) => number): Table {
  return pivot(rows, {
    caption,
    keyHeaders: ['Task'],
    keysOf: (row) => [row.taskId],
    algorithmOf: (row) => row.algorithm,
    cellOf: (row) => ({ value: valueOf(row) }),
    better: 'lower',
    ratioToReference: true,
  });
}

/** The long per-group table the CLI prints (and `tables/summary.md|.tex`). */
function summaryTable(summary: readonly SummaryRow[]): Table {
  const stat = (row: SummaryRow, name: string) => row[name] as number | undefined;
  return {
    caption:
      'Last-evaluation scores over seeds: normalised mean ± sd with the protocol\'s fresh noise, its 95 % bootstrap CI and IQM; ' +
      'the noise-free normalised mean ± sd (noise set to zero, same episodes); the action spread (sd over noise draws at fixed ' +
      'dataset observations, mean over dimensions and agents) with the data\'s behaviour noise in parentheses; "Gap" flags a ' +
      'noise-free mean outside the stochastic CI (n ≥ 2); raw mean ± sd.',
    keyHeaders: ['Task', 'Dataset', 'Algorithm'],
    valueHeaders: ['n', 'Updates', 'Normalised', '95 % CI', 'IQM', 'Noise-free', 'Action spread', 'Gap', 'Return', 'Diverged', 'Failed'],
    rows: summary.map((row) => {
      const done = row.n > 0;
      const noise = stat(row, 'behaviourNoise');
      const gap = noiseGap(row);
      return {
        keys: [row.taskId, row.dataset, row.algorithm],
        cells: [
          { text: String(row.n) },
          { text: row.updates === undefined ? 'mixed' : String(row.updates) },
          done ? { value: stat(row, 'normalisedMean'), spread: stat(row, 'normalisedSd') } : undefined,
          done ? { interval: [stat(row, 'normalisedCiLow')!, stat(row, 'normalisedCiHigh')!] } : undefined,
          done ? { value: stat(row, 'normalisedIqm') } : undefined,
          stat(row, 'noiseFreeMean') === undefined ? undefined : { value: stat(row, 'noiseFreeMean'), spread: stat(row, 'noiseFreeSd') },
          stat(row, 'actionSpread') === undefined
            ? undefined
            : { value: stat(row, 'actionSpread'), text: noise === undefined ? undefined : `(data ${formatNumber(noise)})` },
          gap ? { text: `noise-free ${gap} CI` } : undefined,
          done ? { value: stat(row, 'returnMean'), spread: stat(row, 'returnSd') } : undefined,
          { text: String(row.diverged) },
          { text: String(row.failed) },
        ],
      };
    }),
  };
}

/** aggregate.csv as a table: IQM per algorithm, then P(om2p > baseline); the highest IQM in bold. */
function aggregateTable(aggregate: readonly AggregateRow[]): Table {
  const best = Math.max(...aggregate.filter((row) => row.metric === 'iqm').map((row) => row.point));
  return {
    caption:
      'Across tasks (a task is one task × dataset): interquartile mean of the normalised last-evaluation scores of all runs, ' +
      `and the probability that ${REFERENCE_ALGORITHM} scores above a baseline on a task drawn at random; 95 % stratified-bootstrap CIs.`,
    keyHeaders: ['Statistic', 'Algorithm'],
    valueHeaders: ['Estimate', '95 % CI', 'Tasks', 'Runs'],
    rows: aggregate.map((row) => ({
      keys: row.metric === 'iqm' ? ['IQM', row.algorithm] : [`P(${row.algorithm} > baseline)`, row.versus ?? ''],
      cells: [
        { value: row.point, bold: row.metric === 'iqm' && row.point === best },
        { interval: [row.ciLow, row.ciHigh] },
        { text: String(row.tasks) },
        { text: String(row.runs) },
      ],
    })),
  };
}

/**
 * Whether a group's noise-free mean lies outside the 95 % CI of its stochastic mean (`above` / `below` it): the sampler's noise,
 * not the mean action, decides the protocol's score there. Needs two seeds (one seed's CI is a point).
 */
export function noiseGap(row: SummaryRow): 'above' | 'below' | undefined {
  const [free, low, high] = [row.noiseFreeMean, row.normalisedCiLow, row.normalisedCiHigh] as (number | undefined)[];
  if (row.n < 2 || free === undefined || low === undefined || high === undefined) return undefined;
  return free > high ? 'above' : free < low ? 'below' : undefined;
}

const MIB = 2 ** 20;

/** Every table by file name. */
export function paperTables(
  summary: readonly SummaryRow[],
  aggregate: readonly AggregateRow[],
  memory: readonly EfficiencyRow[],
  throughput: readonly EfficiencyRow[],
): Record<string, Table> {
  return {
    returns: returnsTable(summary, 'normalised'),
    'returns-raw': returnsTable(summary, 'return'),
    'returns-noise-free': returnsTable(summary, 'noiseFree'),
    aggregate: aggregateTable(aggregate),
    memory: efficiencyTable(
      memory,
      `Peak tensor memory of one update (MiB, mean over cells); in parentheses the ratio baseline / ${REFERENCE_ALGORITHM}; lowest in bold.`,
      (row) => (row.updatePeakBytes as number) / MIB,
    ),
    'training-time': efficiencyTable(
      throughput,
      `Median time of one update (ms, mean over cells); in parentheses the speed-up of ${REFERENCE_ALGORITHM}, baseline time / ${REFERENCE_ALGORITHM} time; fastest in bold.`,
      (row) => row.updateMsMedian as number,
    ),
    summary: summaryTable(summary),
  };
}

/** Writes `<tablesDir>/<name>.md` and `.tex` for every table; returns the paths. */
export function writeTables(tablesDir: string, tables: Record<string, Table>): string[] {
  return Object.entries(tables).flatMap(([name, table]) =>
    (['md', 'tex'] as TableFormat[]).map((format) => {
      const path = join(tablesDir, `${name}.${format}`);
      writeFileSync(path, renderTable(table, format));
      return path;
    }),
  );
}
