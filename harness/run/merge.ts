/**
 * `matrix merge`: combine the cell files of several result folders (shards), with the trained agents kept beside them; a
 * cell present twice with different results is an error.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { canonicalJson } from './canonical.ts';
import { readCellResults, resultFingerprint, weightsPath, writeCellResult } from './store.ts';
import type { CellResult } from '../types.ts';

export function mergeResults(dirs: string[], out: string): { cells: number; duplicates: number } {
  const merged = new Map<string, { result: CellResult; from: string }>();
  let duplicates = 0;
  for (const dir of dirs) {
    for (const [id, result] of readCellResults(dir)) {
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
  for (const { result } of merged.values()) {
    // weights first, as a run writes them: a cell file then never points at weights still being copied
    const weights = dirs.map((dir) => weightsPath(dir, result.cellId)).find(existsSync);
    if (weights) writeFileAtomic(weightsPath(out, result.cellId), readFileSync(weights, 'utf8'));
    writeCellResult(out, result);
  }
  const spec = dirs.map((d) => join(d, 'matrix.json')).find(existsSync);
  if (spec && !existsSync(join(out, 'matrix.json'))) copyFileSync(spec, join(out, 'matrix.json'));
  return { cells: merged.size, duplicates };
}
