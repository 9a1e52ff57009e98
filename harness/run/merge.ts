/**
 * `matrix merge`: combine the cell files of several result folders (shards); a cell present twice with different results
 * is an error. Corrupt cell files are moved aside in their folder and left out (the caller warns).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireExists } from '../files.ts';
import { canonicalJson } from './canonical.ts';
import { readCellResults, resultFingerprint, writeCellResult, type CorruptCellFile } from './store.ts';
import type { CellResult } from '../types.ts';

export function mergeResults(dirs: string[], out: string): { cells: number; duplicates: number; corrupt: CorruptCellFile[] } {
  const merged = new Map<string, { result: CellResult; from: string }>();
  const corrupt: CorruptCellFile[] = [];
  let duplicates = 0;
  for (const dir of dirs) requireExists(dir, 'results folder');
  for (const dir of dirs) {
    const folder = readCellResults(dir);
    corrupt.push(...folder.corrupt);
    for (const [id, result] of folder.results) {
      const seen = merged.get(id);
      if (!seen) {
        merged.set(id, { result, from: dir });
        continue;
      }
      if (canonicalJson(resultFingerprint(seen.result)) !== canonicalJson(resultFingerprint(result))) {
        throw new Error(`cell ${id} (${result.spec.algorithm}, ${result.taskId}, ${result.spec.dataset}, seed ${result.spec.seed}) has different results in ${seen.from} and ${dir}`);
      }
      duplicates++;
    }
  }
  mkdirSync(out, { recursive: true });
  for (const { result } of merged.values()) writeCellResult(out, result);
  const spec = dirs.map((d) => join(d, 'matrix.json')).find(existsSync);
  if (spec && !existsSync(join(out, 'matrix.json'))) copyFileSync(spec, join(out, 'matrix.json'));
  return { cells: merged.size, duplicates, corrupt };
}
