/**
 * Reads a dataset folder file by file and checks it (spec §3.2): the card against its schema, every file against
 * the size and sha256 the card records, every shape against the others' and against the environment, every value
 * (`values.ts`: finite, actions in [−1, 1]). Problems go to a callback, so loading stops at the first (it throws) and
 * verifying collects them all; episode-structure warnings go to another; arrays to a third, so verifying never holds
 * more than one file in memory.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvSpec } from '../../contracts/types.ts';
import { ChecksumError, DataShapeError, DataValueError, MissingFileError } from '../../contracts/errors.ts';
import { formatShape, parseNpy, type NpyArray } from './npy.ts';
import { CARD_FILE, CORE_SOURCES, STATE_SOURCES, arrayFileName, parseArrayFileName, type Source } from './layout.ts';
import { parseCard, readCardBytes, sha256Hex, type DatasetCard } from './card.ts';
import { donesWarning, partialEpisodeWarning, valueProblem } from './values.ts';

export type ProblemKind = 'missing' | 'checksum' | 'shape' | 'values' | 'card' | 'episodes';

export interface DatasetProblem {
  kind: ProblemKind;
  /** File name inside the folder (or the folder itself for problems of the whole set). */
  file: string;
  error: Error;
}

export interface ScanOptions {
  /** When given, agent count and per-agent dims must match it. */
  envSpec?: EnvSpec;
  /** Called for every problem; throw from it to stop at the first. */
  onProblem(problem: DatasetProblem): void;
  /** Called for what is odd but usable (episode structure: dones off episode ends, a partial last episode). */
  onWarning?(problem: DatasetProblem): void;
  /** Called with every array that passed its checks. */
  onArray?(agent: number, source: Source, array: NpyArray): void;
}

export interface ScanResult {
  card?: DatasetCard;
  /** sha256 of card.json, else of the concatenated hex sha256 of the array files, agent by agent in source order. */
  sha256: string;
  numAgents: number;
  rows: number;
  hasStates: boolean;
}

interface ShapeSeen {
  file: string;
  shape: number[];
}

interface ShapeContext {
  spec?: EnvSpec;
  first?: ShapeSeen;
  /** Column widths seen so far, keyed by what must agree (`obs_0` for obs_0 and next_obs_0, `states` for all states). */
  columns: Map<string, ShapeSeen>;
}

/** Scans `folder`; see the module comment. */
export function scanDataset(folder: string, options: ScanOptions): ScanResult {
  if (!existsSync(folder)) throw new MissingFileError(folder, 'dataset folder');
  const report = (kind: ProblemKind, file: string, error: Error) => options.onProblem({ kind, file, error });
  const warn = (file: string, message: string) => options.onWarning?.({ kind: 'episodes', file, error: new Error(message) });
  const cardBytes = readCardBytes(folder);
  let card: DatasetCard | undefined;
  if (cardBytes) {
    try {
      card = parseCard(cardBytes, folder);
    } catch (error) {
      report('card', CARD_FILE, error as Error);
    }
  }
  const listed = new Map((card?.files ?? []).map((f) => [f.path, f]));
  // A card names the files; without a (valid) card, the folder's array files are the dataset.
  const names = card ? [...listed.keys()] : readdirSync(folder);
  const parsed = names.flatMap((n) => parseArrayFileName(n) ?? []);
  const numAgents = parsed.length === 0 ? 0 : Math.max(...parsed.map((p) => p.agent)) + 1;
  const hasStates = parsed.some((p) => p.source === 'states' || p.source === 'next_states');
  const spec = options.envSpec;
  const episodeLength = spec?.episodeLength ?? card?.episodeLength;
  if (numAgents === 0) report('missing', arrayFileName('obs', 0), new Error(`${folder} holds no array files`));
  if (spec && numAgents !== spec.numAgents) {
    report('shape', folder, new DataShapeError(folder, `holds files for ${numAgents} agents; ${spec.taskId} has ${spec.numAgents}`));
  }
  if (spec && card && card.taskId !== spec.taskId) {
    report('card', CARD_FILE, new Error(`${join(folder, CARD_FILE)}: dataset of task ${card.taskId}, environment is ${spec.taskId}`));
  }
  const context: ShapeContext = { spec, columns: new Map() };
  const hashes: string[] = [];
  const sources: Source[] = hasStates ? [...CORE_SOURCES, ...STATE_SOURCES] : [...CORE_SOURCES];
  for (let agent = 0; agent < numAgents; agent++) {
    for (const source of sources) {
      const name = arrayFileName(source, agent);
      const path = join(folder, name);
      if (!existsSync(path)) {
        report('missing', name, new MissingFileError(path, listed.has(name) ? `${CARD_FILE} lists it` : undefined));
        continue;
      }
      const bytes = readFileSync(path);
      const sha256 = sha256Hex(bytes);
      hashes.push(sha256);
      const entry = listed.get(name);
      if (card && !entry) report('card', name, new Error(`${path} is not listed in ${CARD_FILE}`));
      if (entry && entry.bytes !== bytes.length) {
        const change = bytes.length < entry.bytes ? 'truncated' : 'extended';
        report('checksum', name, new DataShapeError(path, `has ${bytes.length} bytes but ${CARD_FILE} records ${entry.bytes}: ${change} since the card was written`));
        continue;
      }
      if (entry && entry.sha256 !== sha256) {
        report('checksum', name, new ChecksumError(path, entry.sha256, sha256));
        continue;
      }
      let array: NpyArray;
      try {
        array = parseNpy(bytes, path);
      } catch (error) {
        report('shape', name, error as Error);
        continue;
      }
      const problem = shapeProblem(name, source, agent, array.shape, context)
        ?? (entry && formatShape(entry.shape) !== formatShape(array.shape) ? `has shape ${formatShape(array.shape)} but the card says ${formatShape(entry.shape)}` : undefined);
      if (problem) {
        report('shape', name, new DataShapeError(path, problem));
        continue;
      }
      const bad = valueProblem(source, array.data, array.shape[1] ?? 1);
      if (bad) {
        report('values', name, new DataValueError(path, bad));
        continue;
      }
      const odd = source === 'dones' && episodeLength !== undefined ? donesWarning(array.data, episodeLength) : undefined;
      if (odd) warn(name, `${path}: ${odd}`);
      options.onArray?.(agent, source, array);
    }
  }
  const rows = context.first?.shape[0] ?? 0;
  const partial = episodeLength !== undefined && rows > 0 ? partialEpisodeWarning(rows, episodeLength) : undefined;
  if (partial) warn(folder, `${folder}: ${partial}`);
  if (card && rows !== 0 && card.transitions !== rows) {
    report('card', CARD_FILE, new Error(`${join(folder, CARD_FILE)}: says ${card.transitions} transitions, the files hold ${rows}`));
  }
  const sha256 = cardBytes ? sha256Hex(cardBytes) : sha256Hex(hashes.join(''));
  return { card, sha256, numAgents, rows, hasStates };
}

/** Every problem of a dataset folder (missing files, size, checksum, shape and value problems, a bad card) and every warning. */
export function verifyDataset(folder: string, envSpec?: EnvSpec): { problems: DatasetProblem[]; warnings: DatasetProblem[] } {
  const problems: DatasetProblem[] = [];
  const warnings: DatasetProblem[] = [];
  scanDataset(folder, { envSpec, onProblem: (p) => problems.push(p), onWarning: (w) => warnings.push(w) });
  return { problems, warnings };
}

/** What is wrong with one array's shape, or undefined. Row counts must agree across files, columns across agents' pairs. */
function shapeProblem(file: string, source: Source, agent: number, shape: number[], context: ShapeContext): string | undefined {
  const has = `has shape ${formatShape(shape)}`;
  const perRow = source === 'rews' || source === 'dones';
  if (perRow && !(shape.length === 1 || shape[1] === 1)) return `${has}; expected (N,) or (N, 1)`;
  if (!perRow && shape.length !== 2) return `${has}; expected 2 dimensions (rows, columns)`;
  if (shape[0] === 0) return `${has}: no rows`;
  const first = context.first;
  if (!first) context.first = { file, shape };
  else if (first.shape[0] !== shape[0]) return `${has} but ${first.file} has ${formatShape(first.shape)}: row counts differ`;
  if (perRow) return undefined;
  const specWidth = expectedWidth(source, agent, context.spec);
  if (specWidth !== undefined && specWidth !== shape[1]) {
    return `${has} but ${context.spec!.taskId} expects ${formatShape([shape[0], specWidth])}`;
  }
  const key = source === 'next_obs' ? `obs_${agent}` : source === 'states' || source === 'next_states' ? 'states' : `${source}_${agent}`;
  const seen = context.columns.get(key);
  if (!seen) context.columns.set(key, { file, shape });
  else if (seen.shape[1] !== shape[1]) return `${has} but ${seen.file} has ${formatShape(seen.shape)}: widths differ`;
  return undefined;
}

function expectedWidth(source: Source, agent: number, spec?: EnvSpec): number | undefined {
  if (!spec) return undefined;
  if (source === 'obs' || source === 'next_obs') return spec.obsDims[agent];
  if (source === 'acs') return spec.actDims[agent];
  return spec.stateDim;
}
