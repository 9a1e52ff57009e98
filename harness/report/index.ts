/**
 * `writeReport(dir)`: reads `<dir>/cells/*.json` and writes the CSVs (each row schema-checked before writing), the
 * paper tables (`tables/*.md|.tex`), the plots (`plots/*.svg`) and `index.html`, the page that puts them together with the
 * episode viewer, the dataset cards and the provenance (docs/report.md, spec §5). Every bootstrap interval is seeded
 * from `options.seed`, one named stream per table, so the CSVs are reproducible byte for byte; the viewer's episodes are
 * rolled out with the same seed.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { parseJson } from '../files.ts';
import { dataDir as defaultDataDir } from '../paths.ts';
import { createRng } from '../../contracts/rng.ts';
import { missingCells, type MissingCells } from '../run/missing.ts';
import type { CorruptCellFile } from '../run/store.ts';
import { DEFAULT_BOOTSTRAP, type BootstrapOptions } from '../stats/index.ts';
import type { CellResult } from '../../contracts/types.ts';
import { aggregateRows } from './aggregate.ts';
import { benchEfficiencyTable } from './bench-efficiency.ts';
import { datasetsTable, usedDatasets } from './cards.ts';
import { labelCells, readCells, type LabelledCell } from './cells.ts';
import { writeCsv } from './csv.ts';
import { recordEpisodes } from './episodes.ts';
import { renderReportHtml } from './html.ts';
import { noiseGap, paperTables, writeTables } from './paper-tables.ts';
import { renderPlots, writePlots } from './plots.ts';
import { matrixSpecText, reportOrigin, runtimesTable } from './provenance.ts';
import { formatNumber, renderTable } from './table.ts';
import { efficiencyRows, MEMORY_FIELDS, returnsRows, summaryRows, THROUGHPUT_FIELDS, type SummaryRow } from './rows.ts';

export interface ReportOptions {
  /** Root seed of the bootstrap streams and of the viewer's episodes. @default 0 */
  seed: number;
  /** Bootstrap resamples per interval. @default 2000 */
  reps: number;
  /** Where the dataset cards are looked up. @default `OM2P_DATA_DIR`, else `<package>/.om2p/datasets` */
  dataDir?: string;
  /** A `bench algos` efficiency.csv to show. @default `<dir>/efficiency.csv` when it exists */
  efficiency?: string;
}

export const DEFAULT_REPORT: ReportOptions = { seed: 0, reps: DEFAULT_BOOTSTRAP.reps };

export interface ReportResult {
  /** Every file written, CSVs first, `index.html` last. */
  paths: string[];
  summary: SummaryRow[];
  /** The summary table as Markdown, for printing. */
  summaryMarkdown: string;
  /** Cell files that did not parse or validate: moved aside and left out of the report. */
  corrupt: CorruptCellFile[];
  /** Cells of the folder's `matrix.json` without a result (undefined: the folder has no matrix.json). */
  missing?: MissingCells;
}

/** summary.csv's rows: the report's own bootstrap stream, so `report --compare` sees the very CIs a report writes. */
export function reportSummary(cells: readonly LabelledCell[], options: Partial<ReportOptions> = {}): SummaryRow[] {
  const { seed, reps } = { ...DEFAULT_REPORT, ...options };
  return summaryRows(cells, createRng(seed).fork('summary'), { reps });
}

export async function writeReport(dir: string, options: Partial<ReportOptions> = {}): Promise<ReportResult> {
  const { seed, reps, dataDir, efficiency } = { ...DEFAULT_REPORT, ...options };
  const bootstrap: Partial<BootstrapOptions> = { reps };
  const rng = createRng(seed);
  const { cells: read, corrupt } = readCells(dir);
  const cells = labelCells(read);
  const summary = reportSummary(cells, options);
  const aggregate = aggregateRows(cells, rng.fork('aggregate'), bootstrap);
  const memory = efficiencyRows(cells, MEMORY_FIELDS);
  const throughput = efficiencyRows(cells, THROUGHPUT_FIELDS);
  const csvs = { returns: returnsRows(cells), summary, aggregate, memory, throughput };
  const paths = Object.entries(csvs).map(([name, rows]) => {
    const path = join(dir, `${name}.csv`);
    writeCsv(path, name, rows);
    return path;
  });
  const tablesDir = join(dir, 'tables');
  const plotsDir = join(dir, 'plots');
  mkdirSync(tablesDir, { recursive: true });
  mkdirSync(plotsDir, { recursive: true });
  const tables = paperTables(summary, aggregate, memory, throughput);
  paths.push(...writeTables(tablesDir, tables));
  const plots = await renderPlots(cells);
  paths.push(...writePlots(plotsDir, plots));

  const efficiencyPath = efficiency ?? (existsSync(join(dir, 'efficiency.csv')) ? join(dir, 'efficiency.csv') : undefined);
  const used = usedDatasets(cells, dataDir ?? defaultDataDir());
  const specText = matrixSpecText(dir);
  const spec = specText === undefined ? undefined : (parseJson(specText, join(dir, 'matrix.json')) as { name?: string; description?: string });
  const count = (status: CellResult['status']) => cells.filter(({ cell }) => cell.status === status).length;
  const html = renderReportHtml({
    title: spec?.name ?? basename(dir),
    description: spec?.description,
    counts: { cells: cells.length, done: count('done'), diverged: count('diverged'), failed: count('failed') },
    tables,
    plots,
    noiseGaps: noiseGapLines(summary),
    efficiency: efficiencyPath ? { source: shownPath(dir, efficiencyPath), table: benchEfficiencyTable(efficiencyPath) } : undefined,
    episodes: await recordEpisodes(dir, cells, seed),
    datasets: {
      table: datasetsTable(used),
      cards: used.flatMap(({ taskId, dataset, found }) => (found ? [{ label: `${taskId} / ${dataset} (${found.folder})`, card: found.card }] : [])),
    },
    provenance: {
      runtimes: runtimesTable(cells),
      matrixSpec: specText,
      origin: reportOrigin(),
      options: `bootstrap seed ${seed} with ${reps} resamples per interval; episodes rolled out with seed ${seed}`,
    },
  });
  const page = join(dir, 'index.html');
  writeFileSync(page, html);
  paths.push(page);
  return { paths, summary, summaryMarkdown: renderTable(tables.summary, 'md'), corrupt, missing: missingCells(dir, read.map((c) => c.cellId)) };
}

/** The groups `noiseGap` flags, one line each; undefined when no group has a noise-free score. */
function noiseGapLines(summary: readonly SummaryRow[]): string[] | undefined {
  if (!summary.some((row) => row.noiseFreeMean !== undefined)) return undefined;
  return summary.flatMap((row) => {
    const gap = noiseGap(row);
    if (!gap) return [];
    const [stochastic, free] = [row.normalisedMean as number, row.noiseFreeMean as number];
    return [`${row.taskId} / ${row.dataset} / ${row.algorithm}: stochastic ${formatNumber(stochastic)}, noise-free ${formatNumber(free)} (${gap} the stochastic CI [${formatNumber(row.normalisedCiLow as number)}, ${formatNumber(row.normalisedCiHigh as number)}])`];
  });
}

/** A path as the page shows it: relative to the report folder when inside it (the page is sent around without it). */
function shownPath(dir: string, path: string): string {
  const inside = relative(dir, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

export { writeCsv } from './csv.ts';
export type { SummaryRow } from './rows.ts';
