/**
 * Matrix specs: validation, expansion into cells (algorithms × environments × datasets × seeds) and cell ids; sharding is `shard.ts`.
 */
import { readJsonFile } from '../files.ts';
import { validateOrThrow } from '../schema.ts';
import type { Budget, CellId, CellSpec, SizePreset } from '../types.ts';
import { contentHash } from './canonical.ts';

export interface MatrixSpec {
  name: string;
  description?: string;
  preset?: SizePreset;
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

/** Reads and validates a matrix spec: "no such file: <path>", "<path>: not valid JSON: …", or a ConfigError naming the field. */
export function readMatrixSpec(path: string): MatrixSpec {
  return validateOrThrow<MatrixSpec>('om2p-bench/matrix-spec', readJsonFile(path, 'matrix spec'), path);
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
            preset: matrix.preset ?? 'cpu',
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
