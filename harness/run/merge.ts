/**
 * `matrix merge`: combine the cell files of several result folders (shards), with the trained agents kept beside them; a
 * cell present twice with different results is an error. Corrupt cell files are moved aside in their folder and left out
 * (the caller warns); their weights are not taken either.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExists, writeFileAtomic } from '../files.ts';
import { canonicalJson } from '../canonical.ts';
import { readCellResults, resultFingerprint, weightsPath, writeCellResult, type CorruptCellFile } from './store.ts';
import type { CellResult } from '../../contracts/types.ts';

export function mergeResults(dirs: string[], out: string): { cells: number; duplicates: number; corrupt: CorruptCellFile[] } {
  // `holders`: the folders holding this result (identical duplicates included), where its weights may be taken from
  const merged = new Map<string, { result: CellResult; from: string; holders: string[] }>();
  const corrupt: CorruptCellFile[] = [];
  let duplicates = 0;
  for (const dir of dirs) requireExists(dir, 'results folder');
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
    // weights first, as a run writes them: a cell file then never points at weights still being copied
    const weights = holders.map((dir) => weightsPath(dir, result.cellId)).find(existsSync);
    if (weights) writeFileAtomic(weightsPath(out, result.cellId), readFileSync(weights));
    writeCellResult(out, result);
  }
  const spec = dirs.map((d) => join(d, 'matrix.json')).find(existsSync);
  if (spec && !existsSync(join(out, 'matrix.json'))) copyFileSync(spec, join(out, 'matrix.json'));
  return { cells: merged.size, duplicates, corrupt };
}
