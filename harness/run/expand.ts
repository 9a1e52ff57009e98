/**
 * Matrix specs: validation, expansion into cells (algorithms × environments × datasets × seeds), cell ids and sharding.
 */
import { ConfigError } from '../../contracts/errors.ts';
import { readJsonFile } from '../files.ts';
import { validateOrThrow } from '../schema.ts';
import type { Budget, CellId, CellSpec, SizePreset } from '../../contracts/types.ts';
import { contentHash } from '../canonical.ts';

export interface MatrixSpec {
  name: string;
  description?: string;
  networkPreset?: SizePreset;
  datasetPreset?: 'smoke' | 'quick' | 'paper';
  algorithms: AlgorithmEntry[];
  environments: { name: string; options?: Record<string, unknown> }[];
  datasets: string[];
  seeds: number[];
  budget: Budget;
}

export interface AlgorithmEntry {
  name: string;
  config?: Record<string, unknown>;
  /** Per `<env>/<dataset>` overrides over `config` (the Q weight per dataset). */
  datasetConfig?: Record<string, Record<string, unknown>>;
  /** Per `<env>/<dataset>` updates replacing `budget.updates` (each algorithm trains until its curve is flat there). */
  datasetUpdates?: Record<string, number>;
}

/** The key of an algorithm entry's per-dataset tables (`datasetConfig`, `datasetUpdates`): `<env>/<dataset>`. */
export function perDatasetKey(env: string, dataset: string): string {
  return `${env}/${dataset}`;
}

/**
 * Reads and validates a matrix spec: "no such file: <path>", "<path>: not valid JSON: …", or a ConfigError naming the field.
 * The deprecated key `preset` (kept for one release) becomes `networkPreset`, with a message to `warn`.
 */
export function readMatrixSpec(path: string, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): MatrixSpec {
  const { preset, ...spec } = validateOrThrow<MatrixSpec & { preset?: SizePreset }>('om2p-bench/matrix-spec', readJsonFile(path, 'matrix spec'), path);
  if (preset === undefined) return spec;
  if (spec.networkPreset !== undefined) throw new ConfigError('/preset', 'is the deprecated spelling of networkPreset; give only networkPreset', path);
  warn(`om2p-bench: ${path}: "preset" is deprecated and will be removed in the next release; use "networkPreset"`);
  return { ...spec, networkPreset: preset };
}

export function cellId(spec: CellSpec): CellId {
  return contentHash(spec) as CellId;
}

/** Every cell of the matrix, in a stable order (algorithm, environment, dataset, seed). */
export function expandMatrix(matrix: MatrixSpec): CellSpec[] {
  const cells: CellSpec[] = [];
  for (const algorithm of matrix.algorithms) {
    for (const env of matrix.environments) {
      for (const dataset of matrix.datasets) {
        const where = perDatasetKey(env.name, dataset);
        const config = { ...(algorithm.config ?? {}), ...(algorithm.datasetConfig?.[where] ?? {}) };
        const budget = { ...matrix.budget, updates: algorithm.datasetUpdates?.[where] ?? matrix.budget.updates };
        for (const seed of matrix.seeds) {
          cells.push({
            algorithm: algorithm.name,
            config,
            preset: matrix.networkPreset ?? 'cpu',
            env: env.name,
            envOptions: env.options ?? {},
            dataset,
            datasetPreset: matrix.datasetPreset ?? 'quick',
            seed,
            budget,
          });
        }
      }
    }
  }
  return cells;
}

/** Parses `k/n` (1 ≤ k ≤ n). */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) throw new Error(`--shard must be k/n with 1 ≤ k ≤ n, got '${text}'`);
  return { index, count };
}

/** The deterministic 1/n of the cells that shard k runs: by cell id, so it does not depend on the spec's order. */
export function shardCells(cells: CellSpec[], shard: { index: number; count: number }): CellSpec[] {
  return cells.filter((cell) => Number.parseInt(cellId(cell).slice(0, 8), 16) % shard.count === shard.index - 1);
}
