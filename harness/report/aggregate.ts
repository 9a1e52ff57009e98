/**
 * aggregate.csv and the performance profile: across-task statistics of normalised last-evaluation scores
 * (spec §5, rliable). A "task" here is one taskId × dataset combination; an algorithm's scores are its finished
 * runs on each task it finished at least once (`ScoresByTask`).
 */
import type { Rng } from '../../contracts/rng.ts';
import {
  pooledIqmInterval,
  probabilityOfImprovementInterval,
  type BootstrapOptions,
  type Interval,
  type ScoresByTask,
} from '../stats/index.ts';
import { REFERENCE_ALGORITHM } from '../registry.ts';
import { doneCells, groupBy, orderAlgorithms, type LabelledCell } from './cells.ts';

export interface AggregateRow {
  [column: string]: string | number | undefined;
  metric: 'iqm' | 'probability-of-improvement';
  algorithm: string;
  versus?: string;
  point: number;
  ciLow: number;
  ciHigh: number;
  tasks: number;
  runs: number;
}

/** Per algorithm, its normalised scores by task key (`taskId × dataset`), in report order. */
export function scoresByAlgorithm(cells: readonly LabelledCell[]): Map<string, Map<string, number[]>> {
  const done = doneCells(cells);
  const byAlgorithm = new Map<string, Map<string, number[]>>();
  for (const algorithm of orderAlgorithms(done.map((entry) => entry.algorithm))) {
    const mine = done.filter((entry) => entry.algorithm === algorithm);
    const byTask = groupBy(mine, ({ cell }) => JSON.stringify([cell.taskId, cell.spec.dataset]));
    const sortedKeys = [...byTask.keys()].sort();
    byAlgorithm.set(algorithm, new Map(sortedKeys.map((key) => [key, byTask.get(key)!.map(({ cell }) => cell.last.normalised)])));
  }
  return byAlgorithm;
}

/**
 * IQM with a stratified-bootstrap CI for every algorithm, then P(om2p > other) over the tasks both finished, with
 * an independent stratified-bootstrap CI. Without om2p in the results there are no probability rows.
 */
export function aggregateRows(cells: readonly LabelledCell[], rng: Rng, bootstrap: Partial<BootstrapOptions>): AggregateRow[] {
  const scores = scoresByAlgorithm(cells);
  const rows: AggregateRow[] = [...scores.entries()].map(([algorithm, byTask]) =>
    row('iqm', algorithm, undefined, byTask.size, pooledIqmInterval([...byTask.values()], rng.fork(`iqm ${algorithm}`), bootstrap)),
  );
  const reference = scores.get(REFERENCE_ALGORITHM);
  if (!reference) return rows;
  for (const [other, byTask] of scores) {
    if (other === REFERENCE_ALGORITHM) continue;
    const shared = [...reference.keys()].filter((key) => byTask.has(key));
    if (shared.length === 0) continue;
    const x: ScoresByTask = shared.map((key) => reference.get(key)!);
    const y: ScoresByTask = shared.map((key) => byTask.get(key)!);
    const interval = probabilityOfImprovementInterval(x, y, rng.fork(`poi ${other}`), bootstrap);
    rows.push(row('probability-of-improvement', REFERENCE_ALGORITHM, other, shared.length, interval));
  }
  return rows;
}

function row(metric: AggregateRow['metric'], algorithm: string, versus: string | undefined, tasks: number, interval: Interval): AggregateRow {
  return { metric, algorithm, versus, point: interval.point, ciLow: interval.lower, ciHigh: interval.upper, tasks, runs: interval.n };
}
