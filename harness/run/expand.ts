/**
 * Matrix specs: validation, expansion into cells (algorithms × their config grid × environments × datasets × seeds; an
 * environment may name its own datasets and budget fields, an algorithm entry its own seeds and
 * environments) and cell ids; sharding is `shard.ts`.
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
  environments: EnvironmentEntry[];
  datasets: string[];
  seeds: number[];
  budget: Budget;
}

export interface EnvironmentEntry {
  name: string;
  options?: Record<string, unknown>;
  /** This environment's dataset levels, replacing the matrix's `datasets` (tasks whose useful levels differ). */
  datasets?: string[];
  /** Budget fields replacing the matrix's on this environment (an episode of 1,000 steps wants fewer evaluation episodes). */
  budget?: Partial<Budget>;
}

export interface AlgorithmEntry {
  name: string;
  config?: Record<string, unknown>;
  /** Per `<env>/<dataset>` overrides over `config` (the Q weight per dataset). */
  datasetConfig?: Record<string, Record<string, unknown>>;
  /** Per `<env>/<dataset>` updates replacing `budget.updates` (each algorithm trains until its curve is flat there). */
  datasetUpdates?: Record<string, number>;
  /**
   * A sweep's grid: axes, each a list of config overrides; the entry runs once per combination (one override from each axis),
   * merged over `config` and the per-dataset config (the grid is what the entry sweeps, so it wins).
   */
  grid?: Record<string, unknown>[][];
  /** This entry's seeds, replacing the matrix's: a sweep's follow-up runs more seeds of its best settings only. */
  seeds?: number[];
  /** The matrix's environments this entry runs on (by name; all when absent): a follow-up chosen per task family. */
  environments?: string[];
}

/** The key of an algorithm entry's per-dataset tables (`datasetConfig`, `datasetUpdates`): `<env>/<dataset>`. */
export function perDatasetKey(env: string, dataset: string): string {
  return `${env}/${dataset}`;
}

/**
 * Reads and validates a matrix spec: "no such file: <path>", "<path>: not valid JSON: …", or a ConfigError naming the field
 * (an algorithm entry's environments must be the matrix's).
 * The deprecated key `preset` (kept for one release) becomes `networkPreset`, with a message to `warn`.
 */
export function readMatrixSpec(path: string, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): MatrixSpec {
  const { preset, ...spec } = validateOrThrow<MatrixSpec & { preset?: SizePreset }>('om2p-bench/matrix-spec', readJsonFile(path, 'matrix spec'), path);
  const names = spec.environments.map((env) => env.name);
  spec.algorithms.forEach((entry, k) =>
    entry.environments?.forEach((name, j) => {
      if (!names.includes(name)) throw new ConfigError(`/algorithms/${k}/environments/${j}`, `"${name}" is not one of the matrix's environments (${names.join(', ')})`, path);
    }),
  );
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
      if (algorithm.environments && !algorithm.environments.includes(env.name)) continue;
      const envBudget = { ...matrix.budget, ...(env.budget ?? {}) };
      for (const dataset of env.datasets ?? matrix.datasets) {
        const where = perDatasetKey(env.name, dataset);
        const budget = { ...envBudget, updates: algorithm.datasetUpdates?.[where] ?? envBudget.updates };
        for (const point of gridPoints(algorithm.grid ?? [])) {
          const config = { ...(algorithm.config ?? {}), ...(algorithm.datasetConfig?.[where] ?? {}), ...point };
          for (const seed of algorithm.seeds ?? matrix.seeds) {
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
  }
  return cells;
}

/** Every combination of one override per axis, merged, the first axis varying slowest; one empty override for no axes. */
function gridPoints(axes: readonly Record<string, unknown>[][]): Record<string, unknown>[] {
  return axes.reduce<Record<string, unknown>[]>((points, axis) => points.flatMap((point) => axis.map((override) => ({ ...point, ...override }))), [{}]);
}
