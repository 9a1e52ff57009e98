/**
 * `writeReport(dir)`: reads `<dir>/cells/*.json` and writes the CSVs (each row schema-checked before writing), the
 * paper tables (`tables/*.md|.tex`) and the plots (`plots/*.svg`) (DESIGN "Outputs", SPEC §5). Every bootstrap
 * interval is seeded from `options.seed`, one named stream per table, so a report is reproducible byte for byte.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../rng.ts';
import { DEFAULT_BOOTSTRAP, type BootstrapOptions } from '../stats/index.ts';
import { aggregateRows } from './aggregate.ts';
import type { CorruptCellFile } from '../run/store.ts';
import { labelCells, readCells, type LabelledCell } from './cells.ts';
import { writeCsv } from './csv.ts';
import { paperTables, writeTables } from './paper-tables.ts';
import { writePlots } from './plots.ts';
import { renderTable } from './table.ts';
import { efficiencyRows, MEMORY_FIELDS, returnsRows, summaryRows, THROUGHPUT_FIELDS, type SummaryRow } from './rows.ts';

export interface ReportOptions {
  /** Root seed of the bootstrap streams. @default 0 */
  seed: number;
  /** Bootstrap resamples per interval. @default 2000 */
  reps: number;
}

export const DEFAULT_REPORT: ReportOptions = { seed: 0, reps: DEFAULT_BOOTSTRAP.reps };

export interface ReportResult {
  /** Every file written, CSVs first. */
  paths: string[];
  summary: SummaryRow[];
  /** The summary table as Markdown, for printing. */
  summaryMarkdown: string;
  /** Cell files that did not parse or validate: moved aside and left out of the report. */
  corrupt: CorruptCellFile[];
}

/** summary.csv's rows: the report's own bootstrap stream, so `report --compare` sees the very CIs a report writes. */
export function reportSummary(cells: readonly LabelledCell[], options: Partial<ReportOptions> = {}): SummaryRow[] {
  const { seed, reps } = { ...DEFAULT_REPORT, ...options };
  return summaryRows(cells, createRng(seed).fork('summary'), { reps });
}

export async function writeReport(dir: string, options: Partial<ReportOptions> = {}): Promise<ReportResult> {
  const { seed, reps } = { ...DEFAULT_REPORT, ...options };
  const bootstrap: Partial<BootstrapOptions> = { reps };
  const rng = createRng(seed);
  const { cells: read, corrupt } = readCells(dir);
  const cells = labelCells(read);
  const summary = reportSummary(cells, options);
  const memory = efficiencyRows(cells, MEMORY_FIELDS);
  const throughput = efficiencyRows(cells, THROUGHPUT_FIELDS);
  const csvs = {
    returns: returnsRows(cells),
    summary,
    aggregate: aggregateRows(cells, rng.fork('aggregate'), bootstrap),
    memory,
    throughput,
  };
  const paths = Object.entries(csvs).map(([name, rows]) => {
    const path = join(dir, `${name}.csv`);
    writeCsv(path, name, rows);
    return path;
  });
  const tablesDir = join(dir, 'tables');
  const plotsDir = join(dir, 'plots');
  mkdirSync(tablesDir, { recursive: true });
  mkdirSync(plotsDir, { recursive: true });
  const tables = paperTables(summary, memory, throughput);
  paths.push(...writeTables(tablesDir, tables));
  paths.push(...(await writePlots(plotsDir, cells)));
  return { paths, summary, summaryMarkdown: renderTable(tables.summary, 'md'), corrupt };
}

export { writeCsv } from './csv.ts';
export type { SummaryRow } from './rows.ts';
