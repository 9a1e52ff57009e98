/**
 * Which cells of a results folder's matrix have no result: a folder written by `matrix run` or `matrix merge` holds its
 * spec as `matrix.json`, so a lost shard (a task that never started, a wrong array range) is knowable, and `matrix merge`
 * and `report` say so instead of summarising fewer seeds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CellSpec } from '../../contracts/types.ts';
import { cellId, expandMatrix, readMatrixSpec } from './expand.ts';

export interface MissingCells {
  /** Cells of the matrix. */
  total: number;
  /** Cells of the matrix without a result file, in spec order. */
  missing: CellSpec[];
}

export const MATRIX_FILE = 'matrix.json';

/** The cells of `<dir>/matrix.json` not among `present` (ids of the results found); undefined when the folder has no matrix.json. */
export function missingCells(dir: string, present: Iterable<string>): MissingCells | undefined {
  const path = join(dir, MATRIX_FILE);
  if (!existsSync(path)) return undefined;
  const all = expandMatrix(readMatrixSpec(path));
  const found = new Set(present);
  return { total: all.length, missing: all.filter((cell) => !found.has(cellId(cell))) };
}

/** `2 of 6 cells missing in runs/x (…/matrix.json):` and one line per cell: id, algorithm, environment, dataset, seed. */
export function missingText(dir: string, { total, missing }: MissingCells): string {
  const cells = missing.map((c) => `  ${cellId(c)} ${c.algorithm} ${c.env} ${c.dataset} seed ${c.seed}\n`).join('');
  return `${missing.length} of ${total} cells missing in ${dir} (its ${MATRIX_FILE} lists them):\n${cells}`;
}
