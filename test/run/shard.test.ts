/**
 * Shards (`harness/run/shard.ts`): `k/n` and `auto` from the scheduler's variables (Slurm arrays 0- or 1-based and with a
 * step, Kubernetes Indexed Jobs), and the cost-balanced deal: a partition, no empty shard, independent of spec order.
 */
import { describe, expect, it } from 'vitest';
import { cellId, expandMatrix, type MatrixSpec } from '../../harness/run/expand.ts';
import { estimatedCost, parseShard, resolveShard, shardCells, shardFolder } from '../../harness/run/shard.ts';

const matrix: MatrixSpec = {
  name: 't',
  algorithms: [{ name: 'om2p' }, { name: 'bc' }],
  environments: [{ name: 'simple_spread' }, { name: 'simple_tag' }],
  datasets: ['expert', 'medium'],
  seeds: [0, 1, 2],
  budget: { updates: 10, evalEvery: 5, episodes: 2 },
};

/** A Slurm array task's variables, as sbatch sets them for `--array=min-max[:step]`. */
function slurm(id: number, min: number, count: number, step?: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_COUNT: String(count) };
  if (step !== undefined) env.SLURM_ARRAY_TASK_STEP = String(step);
  return env;
}

describe('shard from the command line and the scheduler', () => {
  it('parses k/n and rejects bad shards', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(() => parseShard('0/5')).toThrow(/k\/n with 1 ≤ k ≤ n, or auto, got '0\/5'/);
    expect(() => parseShard('6/5')).toThrow(/k\/n/);
    expect(() => parseShard('x')).toThrow(/k\/n/);
    expect(resolveShard('2/3', undefined, slurm(0, 0, 3))).toEqual({ index: 2, count: 3 });
    expect(resolveShard(undefined, undefined, slurm(0, 0, 3))).toBeUndefined();
    expect(() => resolveShard('2/3', 3, {})).toThrow(/--shards n goes with --shard auto/);
  });

  it('takes shard k of n from a Slurm array, 0-based, 1-based or with a step', () => {
    // --array=0-2 and --array=1-3: tasks 1..3 of 3 either way
    expect([0, 1, 2].map((id) => resolveShard('auto', undefined, slurm(id, 0, 3)))).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    expect([1, 2, 3].map((id) => resolveShard('auto', undefined, slurm(id, 1, 3, 1)))).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    // --array=4-12:4 → ids 4, 8, 12
    expect([4, 8, 12].map((id) => resolveShard('auto', undefined, slurm(id, 4, 3, 4)))).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    // a list such as --array=1,4,9 (Slurm: min 1, count 3, step 1) cannot be numbered densely: an error, not a wrong shard
    expect(() => resolveShard('auto', undefined, slurm(9, 1, 3, 1))).toThrow(/SLURM_ARRAY_TASK_ID=9 is not task k of a range .*--array=1-3/);
    expect(() => resolveShard('auto', undefined, slurm(6, 4, 3, 4))).toThrow(/SLURM_ARRAY_TASK_ID=6/);
    expect(() => resolveShard('auto', 4, slurm(1, 1, 3))).toThrow(/--shards 4 disagrees with the Slurm array's 3 tasks/);
    expect(resolveShard('auto', 3, slurm(1, 1, 3))).toEqual({ index: 1, count: 3 });
    expect(() => resolveShard('auto', undefined, { ...slurm(1, 1, 3), SLURM_ARRAY_TASK_MIN: '' })).toThrow(/SLURM_ARRAY_TASK_MIN must be a non-negative integer, got ''/);
  });

  it('takes shard k of n from a Kubernetes Indexed Job with --shards n', () => {
    expect(resolveShard('auto', 4, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(resolveShard('auto', 4, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
    expect(() => resolveShard('auto', 4, { JOB_COMPLETION_INDEX: '4' })).toThrow(/JOB_COMPLETION_INDEX=4 is not below --shards 4/);
    expect(() => resolveShard('auto', undefined, { JOB_COMPLETION_INDEX: '0' })).toThrow(/needs --shards n/);
    expect(() => resolveShard('auto', undefined, {})).toThrow(/neither SLURM_ARRAY_TASK_ID .* nor JOB_COMPLETION_INDEX .* give --shard k\/n/);
  });
});

describe('shard output folder', () => {
  it('fills {k} and {n} from the shard; a template without a shard is an error', () => {
    expect(shardFolder('runs/p/shard-{k}-of-{n}', { index: 2, count: 3 })).toBe('runs/p/shard-2-of-3');
    expect(shardFolder('runs/p', { index: 2, count: 3 })).toBe('runs/p');
    expect(shardFolder('runs/p', undefined)).toBe('runs/p');
    expect(() => shardFolder('runs/p/shard-{k}', undefined)).toThrow(/--out runs\/p\/shard-\{k\}: \{k\} and \{n\} stand for the shard, but no --shard was given/);
  });
});

describe('shard contents', () => {
  it('partition the cells: disjoint, complete, and independent of spec order', () => {
    const cells = expandMatrix(matrix);
    const shards = [1, 2, 3].map((k) => shardCells(cells, { index: k, count: 3 }).map(cellId));
    expect(shards.flat().sort()).toEqual(cells.map(cellId).sort());
    expect(new Set(shards.flat()).size).toBe(cells.length);
    const reversed = expandMatrix({ ...matrix, seeds: [2, 1, 0], algorithms: [...matrix.algorithms].reverse() });
    expect(shardCells(reversed, { index: 2, count: 3 }).map(cellId).sort()).toEqual([...shards[1]].sort());
  });

  it('leave no shard empty while cells remain: 2 cells in 2 or 3 shards, 3 cells in 3', () => {
    const small = { ...matrix, algorithms: [{ name: 'om2p' }], environments: [{ name: 'simple_spread' }], datasets: ['expert'] };
    const two = expandMatrix({ ...small, seeds: [0, 1] });
    expect([1, 2].map((k) => shardCells(two, { index: k, count: 2 }).length)).toEqual([1, 1]);
    // equal costs: the cells go to shards 1, 2, ... in id order; with 2 cells a third shard has nothing to take
    expect([1, 2, 3].map((k) => shardCells(two, { index: k, count: 3 }).length)).toEqual([1, 1, 0]);
    const three = expandMatrix({ ...small, seeds: [0, 1, 2] });
    expect([1, 2, 3].map((k) => shardCells(three, { index: k, count: 3 }).length)).toEqual([1, 1, 1]);
  });

  it('balance estimated cost: one long cell alone, the short ones spread over the others', () => {
    // om2p on expert trains 60 updates (cost 60 + 13 evaluations × 2 episodes = 86); the other 11 cells cost 10 + 3 × 2 = 16
    const cells = expandMatrix({ ...matrix, seeds: [0], algorithms: [{ name: 'om2p', datasetUpdates: { 'simple_spread/expert': 60 } }, { name: 'bc' }] });
    expect(cells.map(estimatedCost).sort((a, b) => b - a)).toEqual([86, 16, 16, 16, 16, 16, 16, 16]);
    const shards = [1, 2, 3].map((k) => shardCells(cells, { index: k, count: 3 }));
    const long = shards.findIndex((s) => s.some((c) => c.budget.updates === 60));
    // LPT by hand: 86 → shard 1; seven 16s fill shards 2 and 3 (16, 16, 32, 32, 48, 48, 64), none reaches 86
    expect(long).toBe(0);
    expect(shards.map((s) => s.reduce((sum, c) => sum + estimatedCost(c), 0))).toEqual([86, 64, 48]);
  });
});
