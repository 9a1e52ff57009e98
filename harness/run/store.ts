/**
 * Result files: `<out>/cells/<cellId>.json`, one per cell, schema-valid and written atomically (temp file + rename) so a
 * killed run never leaves a half-written result that looks finished. A finished cell's trained agent sits beside it as
 * `<cellId>.weights.json` (`policy-file.ts`).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { validateOrThrow } from '../schema.ts';
import type { CellId, CellResult } from '../types.ts';

export function cellsDir(out: string): string {
  return join(out, 'cells');
}

export function cellPath(out: string, id: CellId | string): string {
  return join(cellsDir(out), `${id}.json`);
}

const WEIGHTS_SUFFIX = '.weights.json';

/** Where a cell's trained agent is kept: `<out>/cells/<cellId>.weights.json`. */
export function weightsPath(out: string, id: CellId | string): string {
  return join(cellsDir(out), `${id}${WEIGHTS_SUFFIX}`);
}

/** Validates `result` and writes it to `path` atomically. */
export function writeCellFile(path: string, result: CellResult): string {
  validateOrThrow('om2p-bench/cell-result', result, `result of cell ${result.cellId}`);
  writeFileAtomic(path, `${JSON.stringify(result, null, 1)}\n`);
  return path;
}

/** Writes a matrix cell's result as `<out>/cells/<cellId>.json`. */
export function writeCellResult(out: string, result: CellResult): string {
  return writeCellFile(cellPath(out, result.cellId), result);
}

export function readCellResult(path: string): CellResult {
  return validateOrThrow<CellResult>('om2p-bench/cell-result', JSON.parse(readFileSync(path, 'utf8')), path);
}

/** Every result in `<out>/cells`, by cell id. */
export function readCellResults(out: string): Map<string, CellResult> {
  const dir = cellsDir(out);
  const results = new Map<string, CellResult>();
  if (!existsSync(dir)) return results;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json') && !n.endsWith(WEIGHTS_SUFFIX)).sort()) {
    const result = readCellResult(join(dir, name));
    results.set(result.cellId, result);
  }
  return results;
}

/** A cell counts as finished when it completed or diverged; failed cells are retried on the next run. */
export function isFinished(result: CellResult | undefined): boolean {
  return result !== undefined && result.status !== 'failed';
}

/** The part of a result that a re-run with the same seed and backend must reproduce (no timings, no host). */
export function resultFingerprint(result: CellResult): unknown {
  const { status, cellId } = result;
  if (result.status === 'failed') return { status, cellId, error: result.error };
  if (result.status === 'diverged') return { status, cellId, step: result.step, curve: result.curve };
  return { status, cellId, curve: result.curve, losses: result.losses, backend: result.runtime.backend };
}
