/**
 * The per-run and per-group rows of returns.csv, summary.csv, memory.csv and throughput.csv (spec §5). Columns and
 * their meaning are documented in the row schemas (`schemas/csv-*.schema.json`); these functions only compute them.
 */
import type { Rng } from '../../contracts/rng.ts';
import type { CellDone, Efficiency } from '../../contracts/types.ts';
import { iqm, mean, percentileBootstrap, sd, standardError, type BootstrapOptions } from '../stats/index.ts';
import { cellGroupKey, doneCells, groupBy, orderAlgorithms, sortGroups, type LabelledCell } from './cells.ts';
import { allDefined, behaviourNoise, meanActionSpread, noiseFreeNormalised } from './sampler.ts';

export interface ReturnsRow {
  [column: string]: string | number | undefined;
  cellId: string;
  algorithm: string;
  taskId: string;
  env: string;
  dataset: string;
  seed: number;
  status: 'done' | 'diverged' | 'failed';
  lastReturn?: number;
  lastNormalised?: number;
  bestReturn?: number;
  bestNormalised?: number;
  lastNoiseFree?: number;
  lastActionSpread?: number;
  updates?: number;
  wallMs: number;
  note?: string;
}

/** Statistics of one sample, named with a prefix (`return` or `normalised`) as in summary.csv. */
type SampleStats = Record<string, number | undefined>;

export interface SummaryRow {
  [column: string]: string | number | undefined;
  taskId: string;
  env: string;
  dataset: string;
  algorithm: string;
  n: number;
  diverged: number;
  failed: number;
}

/** One row per cell, in cell-id order. */
export function returnsRows(cells: readonly LabelledCell[]): ReturnsRow[] {
  return cells.map(({ cell, algorithm }) => {
    const common = {
      cellId: cell.cellId,
      algorithm,
      taskId: cell.taskId,
      env: cell.spec.env,
      dataset: cell.spec.dataset,
      seed: cell.spec.seed,
      status: cell.status,
      wallMs: cell.wallMs,
    };
    if (cell.status === 'done') {
      return {
        ...common,
        lastReturn: cell.last.returnMean,
        lastNormalised: cell.last.normalised,
        bestReturn: cell.best.returnMean,
        bestNormalised: cell.best.normalised,
        lastNoiseFree: noiseFreeNormalised(cell, cell.last),
        lastActionSpread: meanActionSpread(cell.last),
        updates: cell.spec.budget.updates,
      };
    }
    if (cell.status === 'diverged') return { ...common, updates: cell.step, note: `${cell.lossName} not finite at update ${cell.step}` };
    return { ...common, note: cell.error.split('\n')[0] };
  });
}

/**
 * One row per task × dataset × algorithm over seeds: statistics of the last evaluation over the finished cells,
 * plus counts of diverged and failed ones. Each group's CI draws from its own stream forked by the group's key, so
 * adding a group never changes another group's interval.
 */
export function summaryRows(cells: readonly LabelledCell[], rng: Rng, bootstrap: Partial<BootstrapOptions>): SummaryRow[] {
  const groups = groupBy(cells, cellGroupKey);
  const rows = [...groups.entries()].map(([key, members]) => {
    const done = doneCells(members).map(({ cell }) => cell);
    const first = members[0];
    const groupRng = rng.fork(key);
    return {
      taskId: first.cell.taskId,
      env: first.cell.spec.env,
      dataset: first.cell.spec.dataset,
      algorithm: first.algorithm,
      n: done.length,
      updates: commonValue(members.map(({ cell }) => cell.spec.budget.updates)),
      diverged: members.filter(({ cell }) => cell.status === 'diverged').length,
      failed: members.filter(({ cell }) => cell.status === 'failed').length,
      ...sampleStats('return', done.map((cell) => cell.last.returnMean), groupRng.fork('return'), bootstrap),
      ...sampleStats('normalised', done.map((cell) => cell.last.normalised), groupRng.fork('normalised'), bootstrap),
      ...samplerStats(done, groupRng.fork('noiseFree'), bootstrap),
    };
  });
  return sortGroups(rows);
}

/**
 * The sampler columns of a group (issue 23): statistics of the noise-free normalised last score (own bootstrap stream, so the
 * protocol's intervals are the ones they always were), the action spread (mean over seeds and agents) and the behaviour
 * noise of the data. Each is left out when a finished seed lacks it (results written before it was measured).
 */
function samplerStats(done: readonly CellDone[], rng: Rng, bootstrap: Partial<BootstrapOptions>): SampleStats {
  const noiseFree = allDefined(done.map((cell) => noiseFreeNormalised(cell, cell.last)));
  const spreads = allDefined(done.map((cell) => meanActionSpread(cell.last)));
  const noises = allDefined(done.map(behaviourNoise));
  return {
    ...(noiseFree ? sampleStats('noiseFree', noiseFree, rng, bootstrap) : {}),
    actionSpread: spreads && mean(spreads),
    behaviourNoise: noises && commonValue(noises),
  };
}

/** The one value all of `values` share, or undefined when they differ. */
function commonValue(values: readonly number[]): number | undefined {
  return values.every((v) => v === values[0]) ? values[0] : undefined;
}

/** n ≥ 1: mean, CI and IQM; n ≥ 2 also sd and se (spec §5: sd with n − 1). Absent statistics stay undefined. */
function sampleStats(prefix: string, x: number[], rng: Rng, bootstrap: Partial<BootstrapOptions>): SampleStats {
  if (x.length === 0) return {};
  const ci = percentileBootstrap(x, mean, rng, bootstrap);
  return {
    [`${prefix}Mean`]: ci.point,
    [`${prefix}Sd`]: x.length >= 2 ? sd(x) : undefined,
    [`${prefix}Se`]: x.length >= 2 ? standardError(x) : undefined,
    [`${prefix}CiLow`]: ci.lower,
    [`${prefix}CiHigh`]: ci.upper,
    [`${prefix}Iqm`]: iqm(x),
  };
}

/** The efficiency fields every cell has (a webgpu cell's GPU bytes are not averaged with cells that have none). */
type CommonField = { [K in keyof Efficiency]-?: undefined extends Efficiency[K] ? never : K }[keyof Efficiency];

/** The efficiency fields of memory.csv and throughput.csv respectively. */
export const MEMORY_FIELDS = ['updatePeakBytes', 'updateLeakTensors', 'updateLeakBytes'] as const satisfies readonly CommonField[];
export const THROUGHPUT_FIELDS = [
  'updatesPerSecond',
  'updateMsMedian',
  'actMsBatch1',
  'actMsBatchEval',
  'networkEvalsPerAction',
] as const satisfies readonly CommonField[];

export interface EfficiencyRow {
  [column: string]: string | number | undefined;
  algorithm: string;
  taskId: string;
  n: number;
}

/**
 * Efficiency per algorithm × task, each field the mean over the finished cells (seeds and datasets: the cost of an
 * update does not depend on which data fills the batch).
 */
export function efficiencyRows(cells: readonly LabelledCell[], fields: readonly CommonField[]): EfficiencyRow[] {
  const done = doneCells(cells);
  const groups = groupBy(done, ({ cell, algorithm }) => JSON.stringify([algorithm, cell.taskId]));
  const order = orderAlgorithms(done.map(({ algorithm }) => algorithm));
  return [...groups.values()]
    .map((members) => {
      const efficiencies = members.map(({ cell }) => cell.efficiency);
      const means = Object.fromEntries(fields.map((field) => [field, mean(efficiencies.map((e) => e[field]))]));
      return { algorithm: members[0].algorithm, taskId: members[0].cell.taskId, n: members.length, ...means };
    })
    .sort((a, b) => a.taskId.localeCompare(b.taskId) || order.indexOf(a.algorithm) - order.indexOf(b.algorithm));
}
