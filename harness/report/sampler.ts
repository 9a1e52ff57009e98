/**
 * The sampler measurements of a cell as the report reads them (issue 23; `EvalPoint.noiseFree`, `EvalPoint.actionSpread`,
 * `CellDone.sampler`): one place that knows that a deterministic policy's score is its noise-free score and that results
 * written before the measurements have neither.
 */
import type { CellDone, CellResult, EvalPoint } from '../../contracts/types.ts';

/**
 * The noise-free normalised score of `cell` at `point`: the one measured there, or the point's own score when the cell's
 * policy is deterministic (evaluated once); undefined in results that predate the measurement.
 */
export function noiseFreeNormalised(cell: CellResult, point: EvalPoint): number | undefined {
  if (point.noiseFree) return point.noiseFree.normalised;
  return cell.status !== 'failed' && cell.sampler?.deterministic ? point.normalised : undefined;
}

/** The action spread at `point`, averaged over the learned agents; undefined when it was not measured. */
export function meanActionSpread(point: EvalPoint): number | undefined {
  const spread = point.actionSpread;
  return spread && spread.length > 0 ? spread.reduce((a, b) => a + b, 0) / spread.length : undefined;
}

/** The behaviour noise the cell's dataset card records, when it does. */
export function behaviourNoise(cell: CellDone): number | undefined {
  return cell.sampler?.behaviourNoise;
}

/** Every value, or undefined when any is: a group statistic over seeds needs all of them. */
export function allDefined(values: readonly (number | undefined)[]): number[] | undefined {
  return values.length > 0 && values.every((v): v is number => v !== undefined) ? (values as number[]) : undefined;
}
