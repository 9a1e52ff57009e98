/**
 * `matrix merge`: combine the cell files of several result folders (shards), with the trained agents kept beside them; a
 * cell present twice with different results is an error. Corrupt cell files are moved aside in their folder and left out
 * (the caller warns); their weights are not taken either. Every input must be a results folder (holding `cells/` or a
 * `matrix.json`), and their matrix specs must agree: the merged folder keeps it, so the cells still missing can be named.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { requireExists, writeFileAtomic } from '../files.ts';
import { canonicalJson } from '../canonical.ts';
import { MATRIX_FILE, missingCells, type MissingCells } from './missing.ts';
import { cellsDir, keptWeightsPath, readCellResults, resultFingerprint, writeCellResult, type CorruptCellFile } from './store.ts';
import type { CellResult } from '../../contracts/types.ts';

export interface MergeSummary {
  cells: number;
  duplicates: number;
  corrupt: CorruptCellFile[];
  /** Cells of the shared matrix.json that no input holds (undefined: no input has a matrix.json). */
  missing?: MissingCells;
}

export function mergeResults(dirs: string[], out: string): MergeSummary {
  // `holders`: the folders holding this result (identical duplicates included), where its weights may be taken from
  const merged = new Map<string, { result: CellResult; from: string; holders: string[] }>();
  const corrupt: CorruptCellFile[] = [];
  let duplicates = 0;
  for (const dir of dirs) requireResultsFolder(dir);
  const spec = sharedSpec(dirs);
  for (const dir of dirs) {
    const folder = readCellResults(dir);
    corrupt.push(...folder.corrupt);
    for (const [id, result] of folder.results) {
      const seen = merged.get(id);
      if (!seen) {
        merged.set(id, { result, from: dir, holders: [dir] });
        continue;
      }
      if (canonicalJson(resultFingerprint(seen.result)) !== canonicalJson(resultFingerprint(result))) {
        throw new Error(`cell ${id} (${result.spec.algorithm}, ${result.taskId}, ${result.spec.dataset}, seed ${result.spec.seed}) has different results in ${seen.from} and ${dir}`);
      }
      seen.holders.push(dir);
      duplicates++;
    }
  }
  mkdirSync(out, { recursive: true });
  for (const { result, holders } of merged.values()) {
    // weights first, as a run writes them: a cell file then never points at weights still being copied; an agent kept in
    // the JSON format of before keeps its name (and format)
    const weights = holders.map((dir) => keptWeightsPath(dir, result.cellId)).find((path) => path !== undefined);
    if (weights) writeFileAtomic(join(cellsDir(out), basename(weights)), readFileSync(weights));
    writeCellResult(out, result);
  }
  if (spec && !existsSync(join(out, MATRIX_FILE))) copyFileSync(spec, join(out, MATRIX_FILE));
  return { cells: merged.size, duplicates, corrupt, missing: missingCells(out, merged.keys()) };
}

/** A folder `matrix run` or `matrix merge` wrote: it holds `cells/` or `matrix.json` (a shard may have no cells yet). */
function requireResultsFolder(dir: string): void {
  requireExists(dir, 'results folder');
  if (!statSync(dir).isDirectory() || !(existsSync(cellsDir(dir)) || existsSync(join(dir, MATRIX_FILE)))) {
    throw new Error(`${dir}: not a results folder (a folder holding cells/ or ${MATRIX_FILE}, as matrix run writes)`);
  }
}

/** The path of the inputs' matrix.json (the first); inputs from different matrices are an error naming two of them. */
function sharedSpec(dirs: string[]): string | undefined {
  const specs = dirs.map((d) => join(d, MATRIX_FILE)).filter(existsSync);
  const text = (path: string) => canonicalJson(JSON.parse(readFileSync(path, 'utf8')));
  const other = specs.find((path) => text(path) !== text(specs[0]));
  if (other) throw new Error(`${specs[0]} and ${other} are different matrices: merge the shards of one matrix`);
  return specs[0];
}
