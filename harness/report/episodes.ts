/**
 * The episodes the report shows: for every task × dataset × algorithm with a finished cell, one evaluation episode of
 * the trained agent of its lowest-seed cell that kept one (`cells/<id>.safetensors`, or `<id>.weights.json` from before), rolled out again from the weights
 * with a fixed seed (the report's `seed`) and drawn by the environment (`Environment.scene`). A group whose cells kept no
 * weights, or whose weights cannot be replayed here (an algorithm from a plugin not loaded, say), gets a note saying so.
 */
import { relative } from 'node:path';
import { rollout } from '../run/episodes.ts';
import { readPolicyFile, restoreAgent } from '../run/policy-file.ts';
import { keptWeightsPath } from '../run/store.ts';
import type { CellResult, Scene } from '../../contracts/types.ts';
import { doneCells, groupBy, orderAlgorithms, type LabelledCell } from './cells.ts';

interface EpisodeKey {
  taskId: string;
  dataset: string;
  algorithm: string;
}

/** A recorded episode, or the reason there is none. */
export type EpisodeView = EpisodeKey & ({ scenes: Scene[]; return: number; seed: number; cellId: string; weights: string } | { missing: string });

/** A report group's key and the cell whose kept agent the report replays (undefined: none of its cells kept one). */
export interface ReplayChoice extends EpisodeKey {
  cell?: CellResult;
  /** The kept agent of `cell`. */
  weights?: string;
}

/**
 * For every task × dataset × algorithm with a finished cell (ordered by task, dataset, then report algorithm order), the
 * lowest-seed cell that kept its agent: the agents the report replays (`agents prune` keeps only these).
 */
export function replayChoices(dir: string, cells: readonly LabelledCell[]): ReplayChoice[] {
  const done = doneCells(cells);
  const order = orderAlgorithms(done.map(({ algorithm }) => algorithm));
  const groups = [...groupBy(done, ({ cell, algorithm }) => JSON.stringify([cell.taskId, cell.spec.dataset, algorithm])).values()].sort(
    (a, b) =>
      a[0].cell.taskId.localeCompare(b[0].cell.taskId) ||
      a[0].cell.spec.dataset.localeCompare(b[0].cell.spec.dataset) ||
      order.indexOf(a[0].algorithm) - order.indexOf(b[0].algorithm),
  );
  return groups.map((members) => {
    const key = { taskId: members[0].cell.taskId, dataset: members[0].cell.spec.dataset, algorithm: members[0].algorithm };
    for (const { cell } of [...members].sort((a, b) => a.cell.spec.seed - b.cell.spec.seed)) {
      const weights = keptWeightsPath(dir, cell.cellId);
      if (weights) return { ...key, cell, weights };
    }
    return key;
  });
}

/** One view per task × dataset × algorithm with a finished cell, in `replayChoices` order. */
export async function recordEpisodes(dir: string, cells: readonly LabelledCell[], seed: number): Promise<EpisodeView[]> {
  const views: EpisodeView[] = [];
  for (const { cell: kept, weights: path, ...key } of replayChoices(dir, cells)) {
    if (!kept || !path) {
      views.push({ ...key, missing: 'No trained weights were saved with these cells (results written before cells kept their agent); re-run them to watch this policy.' });
      continue;
    }
    const weights = relative(dir, path);
    try {
      const file = readPolicyFile(path);
      const outcome = await rollout({
        env: file.env,
        options: file.envOptions,
        policy: weights,
        agent: (spec, rng) => restoreAgent(file, spec, rng, weights),
        episodes: 1,
        seed,
        scenes: true,
      });
      views.push({ ...key, scenes: outcome.scenes!, return: outcome.returns[0], seed: kept.spec.seed, cellId: kept.cellId, weights });
    } catch (error) {
      views.push({ ...key, missing: `Could not replay ${weights}: ${(error as Error).message}` });
    }
  }
  return views;
}
