/**
 * Shards: which part of a matrix one runner takes. Given explicitly (`--shard k/n`) or, with `--shard auto`, from the
 * scheduler that started the runner: a Slurm job array (`SLURM_ARRAY_TASK_ID` within `SLURM_ARRAY_TASK_MIN`,
 * `SLURM_ARRAY_TASK_STEP`, `SLURM_ARRAY_TASK_COUNT`, so `--array=0-2`, `--array=1-3` and `--array=0-8:4` are all shards
 * 1..3 of 3) or a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, 0-based, with `--shards n`).
 *
 * Cells are dealt to shards by estimated cost, largest first, each to the least-loaded shard (ties: the lower shard), in
 * the order of their ids: every shard gets a cell while cells remain, the loads differ by at most one cell's cost, and
 * the split depends only on the set of cells, not on the spec's order.
 */
import type { CellSpec } from '../../contracts/types.ts';
import { cellId } from './expand.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `k/n` (1 ≤ k ≤ n). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) throw new Error(`--shard must be k/n with 1 ≤ k ≤ n, or auto, got '${text}'`);
  return { index, count };
}

/**
 * The shard of `--shard <text>` (`k/n` or `auto`) and `--shards <n>`; `env` is the process environment. Throws naming the
 * variable or option that is missing or inconsistent: a shard that cannot be known must stop the runner, not run another's cells.
 */
export function resolveShard(text: string | undefined, shards: number | undefined, env: NodeJS.ProcessEnv): Shard | undefined {
  if (text !== 'auto') {
    if (shards !== undefined) throw new Error('--shards n goes with --shard auto (a Kubernetes Indexed Job); with --shard k/n the n is given there');
    return text === undefined ? undefined : parseShard(text);
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) return slurmShard(env, shards);
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (shards === undefined) throw new Error('--shard auto in a Kubernetes Indexed Job (JOB_COMPLETION_INDEX is set) needs --shards n, the Job\'s completions');
    const index = envInteger(env, 'JOB_COMPLETION_INDEX');
    if (index >= shards) throw new Error(`JOB_COMPLETION_INDEX=${index} is not below --shards ${shards} (the indexes run 0..${shards - 1})`);
    return { index: index + 1, count: shards };
  }
  throw new Error('--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard k/n');
}

function slurmShard(env: NodeJS.ProcessEnv, shards: number | undefined): Shard {
  const id = envInteger(env, 'SLURM_ARRAY_TASK_ID');
  const min = envInteger(env, 'SLURM_ARRAY_TASK_MIN');
  const count = envInteger(env, 'SLURM_ARRAY_TASK_COUNT');
  const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : envInteger(env, 'SLURM_ARRAY_TASK_STEP');
  const offset = (id - min) / step;
  // A list such as --array=1,4,9 has no step that numbers its tasks 0..count-1; a range (with any step) does.
  if (step < 1 || !Number.isInteger(offset) || offset < 0 || offset >= count) {
    throw new Error(
      `--shard auto: SLURM_ARRAY_TASK_ID=${id} is not task k of a range min-max[:step] (SLURM_ARRAY_TASK_MIN=${min}, SLURM_ARRAY_TASK_STEP=${step}, ` +
        `SLURM_ARRAY_TASK_COUNT=${count}); submit the array as a range, e.g. --array=1-${count}, or give --shard k/n`,
    );
  }
  if (shards !== undefined && shards !== count) throw new Error(`--shards ${shards} disagrees with the Slurm array's ${count} tasks (SLURM_ARRAY_TASK_COUNT)`);
  return { index: offset + 1, count };
}

function envInteger(env: NodeJS.ProcessEnv, name: string): number {
  const text = env[name] ?? '';
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a non-negative integer, got '${text}'`);
  return Number(text);
}

/**
 * What a cell is expected to cost, in updates: its training updates plus its evaluations (one rollout of the episodes
 * per evaluation point, counted as one update per episode; a rough weight, enough to keep a long cell from landing
 * beside another long one).
 */
export function estimatedCost(cell: CellSpec): number {
  const { updates, evalEvery, episodes } = cell.budget;
  const evaluations = 1 + Math.ceil(updates / evalEvery);
  return updates + evaluations * episodes;
}

/** The cells of `shard`, in their given order (see the module comment for how they are dealt). */
export function shardCells(cells: CellSpec[], shard: Shard): CellSpec[] {
  const ids = cells.map(cellId);
  const order = cells
    .map((cell, i) => ({ i, id: ids[i], cost: estimatedCost(cell) }))
    .sort((a, b) => b.cost - a.cost || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const load = new Array<number>(shard.count).fill(0);
  const mine = new Set<number>();
  for (const { i, cost } of order) {
    let least = 0;
    for (let s = 1; s < shard.count; s++) if (load[s] < load[least]) least = s;
    load[least] += cost;
    if (least === shard.index - 1) mine.add(i);
  }
  return cells.filter((_, i) => mine.has(i));
}

/**
 * `--out` with `{k}` and `{n}` filled in from the shard (`runs/paper/shard-{k}-of-{n}`): array tasks of any numbering
 * (`--array=0-2`, `1-3`) and a resubmission write shard k's cells to the same folder. Placeholders without a shard are an error.
 */
export function shardFolder(template: string, shard: Shard | undefined): string {
  if (!/\{[kn]\}/.test(template)) return template;
  if (!shard) throw new Error(`--out ${template}: {k} and {n} stand for the shard, but no --shard was given`);
  return template.replaceAll('{k}', String(shard.index)).replaceAll('{n}', String(shard.count));
}
