/**
/**
 * Result files: `<out>/cells/<cellId>.json`, one per cell, schema-valid and written atomically (`harness/files.ts`), so a
 * killed run never leaves a half-written result that looks finished. A finished cell's trained agent sits beside it as
 * `<cellId>.safetensors` (`policy-file.ts`; `<cellId>.weights.json` in folders written before), written before the result. A cell file that does not parse or validate
 * anyway (a disk error, a hand edit, a copy cut short) is moved aside to `<cellId>.json.corrupt` (never deleted;
 * `.corrupt.1`, `.corrupt.2`, … when that name is taken) and reported with its path and reason; its cell then counts as
 * unfinished. Its weights file, if any, is left in place: nothing reads it without a valid result, and the cell's re-run
 * overwrites it.
 */
import { existsSync, linkSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, InvalidJsonError } from '../../contracts/errors.ts';
import { parseJson, removeAbandonedTempFiles, writeFileAtomic } from '../files.ts';
import { validateOrThrow } from '../schema.ts';
import type { CellId, CellResult } from '../../contracts/types.ts';

export function cellsDir(out: string): string {
  return join(out, 'cells');
}

export function cellPath(out: string, id: CellId | string): string {
  return join(cellsDir(out), `${id}.json`);
}

const WEIGHTS_SUFFIX = '.safetensors';
/** How agents were kept before safetensors; such folders are still read. */
export const LEGACY_WEIGHTS_SUFFIX = '.weights.json';

/** Where a cell's trained agent is written: `<out>/cells/<cellId>.safetensors`. */
export function weightsPath(out: string, id: CellId | string): string {
  return join(cellsDir(out), `${id}${WEIGHTS_SUFFIX}`);
}

/** The kept agent of a cell, as safetensors or in the JSON format of before; undefined when the cell kept none. */
export function keptWeightsPath(out: string, id: CellId | string): string | undefined {
  return [weightsPath(out, id), join(cellsDir(out), `${id}${LEGACY_WEIGHTS_SUFFIX}`)].find((path) => existsSync(path));
}

/** Validates `result` and writes it to `path` atomically; a failed write throws "cannot write <path>: …". */
export function writeCellFile(path: string, result: CellResult): string {
  validateOrThrow('om2p-bench/cell-result', result, `result of cell ${result.cellId}`);
  writeFileAtomic(path, `${JSON.stringify(result, null, 1)}\n`);
  return path;
}

/** Writes a matrix cell's result as `<out>/cells/<cellId>.json`. */
export function writeCellResult(out: string, result: CellResult): string {
  return writeCellFile(cellPath(out, result.cellId), result);
}

/** A cell file that could not be used: where it was, why, and where it was moved. */
export interface CorruptCellFile {
  path: string;
  reason: string;
  movedTo: string;
}

/** The usable results of a results folder, by cell id, and the corrupt files moved aside while reading it. */
export interface CellFolder {
  results: Map<string, CellResult>;
  corrupt: CorruptCellFile[];
}

/** What a user is told about a corrupt cell file; `consequence` says what happens to its cell. */
export function corruptWarning(file: CorruptCellFile, consequence: string): string {
  return `warning: ${file.path}: ${file.reason}; moved to ${file.movedTo}, ${consequence}`;
}

/** Every result in `<out>/cells`; corrupt files are moved aside and listed. A missing folder holds no results. */
export function readCellResults(out: string): CellFolder {
  const folder: CellFolder = { results: new Map(), corrupt: [] };
  const dir = cellsDir(out);
  if (!existsSync(dir)) return folder;
  // `<cellId>.weights.json` beside the results are kept agents of before, not results (nor corrupt ones)
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json') && !entry.name.endsWith(LEGACY_WEIGHTS_SUFFIX))
    .map((entry) => entry.name)
    .sort();
  for (const name of names) {
    const read = readCellOrSetAside(join(dir, name));
    if (read.result) folder.results.set(read.result.cellId, read.result);
    if (read.corrupt) folder.corrupt.push(read.corrupt);
  }
  return folder;
}

/**
 * One cell file: its result; nothing when it does not exist (or vanished: another runner moved it); or, when it does
 * not parse or validate or holds another cell, the corrupt file's report after moving it aside.
 */
export function readCellOrSetAside(path: string): { result?: CellResult; corrupt?: CorruptCellFile } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  let reason: string;
  try {
    const result = validateOrThrow<CellResult>('om2p-bench/cell-result', parseJson(bytes.toString('utf8'), path), path);
    if (`${result.cellId}.json` === basename(path)) return { result };
    reason = `holds cell ${result.cellId}, not the cell its name says`;
  } catch (error) {
    if (error instanceof InvalidJsonError) reason = `not valid JSON: ${error.reason}`;
    else if (error instanceof ConfigError) reason = `not a valid cell result: ${error.path || '(root)'}: ${error.reason}`;
    else throw error;
  }
  const movedTo = setAside(path, bytes);
  return movedTo ? { corrupt: { path, reason, movedTo } } : {};
}

/**
 * Moves a corrupt file to the first free `<path>.corrupt[.n]` without ever replacing a file (a hard link fails on an
 * existing name), then removes the original name. Returns undefined when the file changed or vanished meanwhile:
 * another runner moved it first, or already wrote the cell's new result there, which must stay.
 */
function setAside(path: string, bytes: Buffer): string | undefined {
  for (let n = 0; ; n++) {
    const target = n === 0 ? `${path}.corrupt` : `${path}.corrupt.${n}`;
    try {
      linkSync(path, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'ENOENT') return undefined;
      throw new Error(`cannot move the corrupt file ${path} aside to ${target}: ${(error as Error).message}`);
    }
    if (!readFileSync(target).equals(bytes)) {
      unlinkSync(target);
      return undefined;
    }
    unlinkSync(path);
    return target;
  }
}

/** Removes temporary result files whose writer was killed mid-write (see `removeAbandonedTempFiles`). */
export function removeAbandonedCellTemps(out: string, staleAfterMs: number): string[] {
  return removeAbandonedTempFiles(cellsDir(out), staleAfterMs);
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
