/**
 * Reading and writing the harness's own files with errors that name them: a missing file is "no such file: <path>",
 * bad JSON "<path>: not valid JSON: …", a failed write "cannot write <path>: …". Writes are atomic (a temporary file
 * renamed into place), so a writer killed half-way never leaves a partial file under the real name. The temporary
 * file's name carries the writer's host and pid (`<path>~<host>~<pid>.tmp`), so a later run can tell an abandoned one
 * and remove it.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidJsonError, MissingFileError } from '../contracts/errors.ts';
import { ownerGone, ownerHere } from './owner.ts';

/** Throws `no such file: <path> (<what>)` when nothing exists at `path`. */
export function requireExists(path: string, what?: string): void {
  if (!existsSync(path)) throw new MissingFileError(path, what);
}

/** Parses JSON text read from `path` (named in the error). */
export function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError(path, (error as Error).message);
  }
}

/** Reads and parses a JSON file; `what` (e.g. "matrix spec") goes into the missing-file message. */
export function readJsonFile(path: string, what?: string): unknown {
  return parseJson(readTextFile(path, what), path);
}

/** Reads a UTF-8 file; a missing one is a MissingFileError, any other failure names the path. */
export function readTextFile(path: string, what?: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingFileError(path, what);
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Writes `data` to `path` atomically (temporary file, then rename); creates the folder. Throws "cannot write <path>: …". */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = tempPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw new Error(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/**
 * Creates `path` holding `data` only if nothing exists there, atomically and complete: the data goes to a temporary file
 * that is hard-linked to `path` (link fails when the name exists, also on NFS). Creates the folder. Returns false when
 * `path` existed.
 */
export function createExclusive(path: string, data: string): boolean {
  const temp = tempPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, data);
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`cannot create ${path}: ${(error as Error).message}`);
  } finally {
    removeQuietly(temp);
  }
}

const TEMP_NAME = /^(.+)~([^~]+)~(\d+)\.tmp$/;

function tempPathFor(path: string): string {
  const { host, pid } = ownerHere();
  return `${path}~${host}~${pid}.tmp`;
}

/**
 * Removes the temporary files in `dir` whose writer is gone (this host: dead pid; another host: older than
 * `staleAfterMs`), left by a writer killed mid-write. Returns the paths removed.
 */
export function removeAbandonedTempFiles(dir: string, staleAfterMs: number): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const modifiedMs = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    if (modifiedMs === undefined || !ownerGone({ host: match[2], pid: Number(match[3]) }, modifiedMs, staleAfterMs)) continue;
    removeQuietly(path);
    removed.push(path);
  }
  return removed;
}

/** Removes a file if it is there; a failure to clean up must not hide the error being reported. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // e.g. a directory squatting on the name: left for the user, the caller's error says where
  }
}

/** `path` itself when it is a file, else the files below it whose name `keep` accepts, recursively, in name order. */
export function filesUnder(path: string, keep: (name: string) => boolean): string[] {
  requireExists(path);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return filesUnder(full, keep);
      return keep(entry.name) ? [full] : [];
    });
}
