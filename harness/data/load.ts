/**
 * Loads a dataset folder into memory (spec §3.2): ours (with card.json, every checksum checked) or a card-less
 * OMAR-layout folder, whose reference returns then come from the literature (spec §1.6) and say so.
 */
import { basename, dirname, resolve } from 'node:path';
import type { AgentTransitions, Dataset, EnvSpec } from '../../contracts/types.ts';
import type { NpyArray } from './npy.ts';
import type { Source } from './layout.ts';
import { scanDataset, type DatasetProblem } from './check.ts';
import { cardBehaviourNoise } from './card.ts';
import { envFromOmarFolder, literatureReference } from './references.ts';

/** Arrays of one agent by source, as read. */
export type AgentArrays = Partial<Record<Source, NpyArray>>;

/**
 * Reads every array of a folder, throwing the first problem (MissingFileError, ChecksumError, DataShapeError,
 * DataValueError, ...); episode-structure warnings go to `onWarning`.
 */
export function readDatasetArrays(
  folder: string,
  envSpec?: EnvSpec,
  onWarning?: (warning: DatasetProblem) => void,
): { arrays: AgentArrays[]; scan: ReturnType<typeof scanDataset> } {
  const arrays: AgentArrays[] = [];
  const scan = scanDataset(folder, {
    envSpec,
    onWarning,
    onProblem: (problem) => {
      throw problem.error;
    },
    onArray: (agent, source, array) => {
      (arrays[agent] ??= {})[source] = array;
    },
  });
  return { arrays, scan };
}

/**
 * Loads `folder`. With `envSpec`, the agent count and every obs/action width must match it (DataShapeError names
 * the file and both shapes). Observation mean and std (n denominator) are per agent over all rows.
 */
export function loadDataset(folder: string, envSpec?: EnvSpec): Dataset {
  const { arrays, scan } = readDatasetArrays(folder, envSpec);
  const agents = agentTransitions(arrays);
  const moments = agents.map((a) => columnMoments(a.obs, scan.rows));
  const card = scan.card;
  const env = card?.env ?? envSpec?.name ?? envFromOmarFolder(basename(dirname(dirname(resolve(folder)))));
  if (env === undefined) {
    throw new Error(`${folder} has no card.json and sits in no OMAR environment folder: name the environment to load it`);
  }
  const behaviourNoise = card && cardBehaviourNoise(card);
  return {
    env,
    level: card?.level ?? basename(dirname(resolve(folder))),
    size: scan.rows,
    agents,
    obsMean: moments.map((m) => m.mean),
    obsStd: moments.map((m) => m.std),
    reference: card?.reference ?? literatureReferenceOnly(env, envSpec),
    sha256: scan.sha256,
    ...(behaviourNoise === undefined ? {} : { behaviourNoise }),
  };
}

/** Per-agent transitions from checked arrays (rews and dones of shape (N,) and (N, 1) hold the same values). */
export function agentTransitions(arrays: AgentArrays[]): AgentTransitions[] {
  return arrays.map((a) => ({ obs: a.obs!.data, acts: a.acs!.data, rews: a.rews!.data, nextObs: a.next_obs!.data, dones: a.dones!.data }));
}

function literatureReferenceOnly(env: string, envSpec?: EnvSpec): Dataset['reference'] {
  const { random, expert, source } = literatureReference(env, envSpec?.taskId);
  return { random, expert, source };
}

/** Per-column mean and std (n denominator) of a `rows × width` matrix, accumulated in float64. */
function columnMoments(values: Float32Array, rows: number): { mean: Float32Array; std: Float32Array } {
  const width = values.length / rows;
  const sum = new Float64Array(width);
  for (let k = 0; k < values.length; k++) sum[k % width] += values[k];
  const mean = sum.map((s) => s / rows);
  const squares = new Float64Array(width);
  for (let k = 0; k < values.length; k++) squares[k % width] += (values[k] - mean[k % width]) ** 2;
  return { mean: Float32Array.from(mean), std: Float32Array.from(squares, (s) => Math.sqrt(s / rows)) };
}
