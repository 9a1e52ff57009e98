/**
 * Reading a results folder (`<dir>/cells/*.json`, one CellResult per file, through the run store) and the keys
 * the report groups them by. Results of different tasks or datasets are never pooled (spec §5).
 */
import { REFERENCE_ALGORITHM } from '../registry.ts';
import { requireExists } from '../files.ts';
import { cellsDir, readCellResults, type CorruptCellFile } from '../run/store.ts';
import type { CellDone, CellResult } from '../../contracts/types.ts';

/** A cell with the label its algorithm column shows (see `labelCells`). */
export interface LabelledCell {
  cell: CellResult;
  algorithm: string;
}

/**
 * Every cell result of `dir` (schema-checked by the store), in cell-id order, and the corrupt cell files the store moved
 * aside (left out of the report; the caller warns). A folder with no readable result is an error.
 */
export function readCells(dir: string): { cells: CellResult[]; corrupt: CorruptCellFile[] } {
  requireExists(dir, 'results folder');
  const { results, corrupt } = readCellResults(dir);
  const cells = [...results.values()];
  if (cells.length === 0) {
    const moved = corrupt.length > 0 ? `; ${corrupt.length} corrupt file(s) moved aside: ${corrupt.map((c) => c.movedTo).join(', ')}` : '';
    throw new Error(`${cellsDir(dir)}: no cell results (run a matrix into ${dir} first)${moved}`);
  }
  return { cells, corrupt };
}

/**
 * Labels each cell's algorithm. An algorithm keeps its registry name unless it ran with several configs on one task ×
 * dataset (an η sweep, say): then every cell of it gets its overrides in brackets, e.g. `om2p[eta=0.1]`, so different
 * configs are never pooled over seeds. A config that differs only between datasets (η tuned per dataset, spec §4) is one
 * method and keeps the plain name.
 */
export function labelCells(cells: readonly CellResult[]): LabelledCell[] {
  const configsPerGroup = new Map<string, Set<string>>();
  for (const cell of cells) {
    const key = groupKey(cell.taskId, cell.spec.dataset, cell.spec.algorithm);
    configsPerGroup.set(key, (configsPerGroup.get(key) ?? new Set<string>()).add(overridesText(cell.spec.config)));
  }
  const swept = new Set(cells.filter((cell) => configsPerGroup.get(groupKey(cell.taskId, cell.spec.dataset, cell.spec.algorithm))!.size > 1).map((cell) => cell.spec.algorithm));
  return cells.map((cell) => {
    const overrides = overridesText(cell.spec.config);
    return { cell, algorithm: swept.has(cell.spec.algorithm) && overrides ? `${cell.spec.algorithm}[${overrides}]` : cell.spec.algorithm };
  });
}

/** Algorithm labels in report order: `om2p` first (the method every table compares against), then alphabetical. */
export function orderAlgorithms(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * The key of a report group (one row of summary.csv): task × dataset × algorithm label. It also names the group's bootstrap
 * stream, so it must not change.
 */
export function groupKey(taskId: string, dataset: string, algorithm: string): string {
  return JSON.stringify([taskId, dataset, algorithm]);
}

/** The report group of a cell (see `groupKey`). */
export function cellGroupKey({ cell, algorithm }: LabelledCell): string {
  return groupKey(cell.taskId, cell.spec.dataset, algorithm);
}

/** Sorts rows of report groups by task, dataset, then algorithm in report order. */
export function sortGroups<R extends { taskId: string; dataset: string; algorithm: string }>(rows: R[]): R[] {
  const order = orderAlgorithms(rows.map((row) => row.algorithm));
  return rows.sort(
    (a, b) => a.taskId.localeCompare(b.taskId) || a.dataset.localeCompare(b.dataset) || order.indexOf(a.algorithm) - order.indexOf(b.algorithm),
  );
}

/** Groups items by a string key, keeping the first-seen order of keys. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

/** Finished cells only (the ones with scores and efficiency numbers). */
export function doneCells(cells: readonly LabelledCell[]): (LabelledCell & { cell: CellDone })[] {
  return cells.filter((entry): entry is LabelledCell & { cell: CellDone } => entry.cell.status === 'done');
}

function overridesText(config: Record<string, unknown>): string {
  return Object.keys(config)
    .sort()
    .map((key) => `${key}=${JSON.stringify(config[key])}`)
    .join(',');
}

function rank(label: string): number {
  return label === REFERENCE_ALGORITHM ? 0 : 1;
}
