/**
 * Where dataset files live and what they are called (spec §3.2, OMAR's layout): a dataset is a folder
 * `<dataDir>/<taskId>/<level>/seed_<k>_data/` holding `<source>_<i>.npy` for every environment agent i (the prey
 * included) and, for our own datasets, `card.json`. The environment folder is named by the task id, so datasets of
 * different tasks (e.g. another prey, spec §1.5) never mix.
 */
import { join } from 'node:path';

/** Per-agent arrays every dataset holds, in OMAR's file names. */
export const CORE_SOURCES = ['obs', 'acs', 'rews', 'next_obs', 'dones'] as const;
/** Global-state arrays HalfCheetah datasets add (spec §3.2). */
export const STATE_SOURCES = ['states', 'next_states'] as const;
export type Source = (typeof CORE_SOURCES)[number] | (typeof STATE_SOURCES)[number];

export const CARD_FILE = 'card.json';

/** `<dataDir>/<taskId>/<level>/seed_<k>_data`. */
export function datasetFolder(dataDir: string, taskId: string, level: string, seed: number): string {
  return join(dataDir, taskId, level, seedFolderName(seed));
}

function seedFolderName(seed: number): string {
  return `seed_${seed}_data`;
}

/** The seed of a `seed_<k>_data` folder name, or undefined for any other name. */
export function parseSeedFolderName(name: string): number | undefined {
  const match = /^seed_(\d+)_data$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** `obs_0.npy`, `next_states_1.npy`, ... */
export function arrayFileName(source: Source, agent: number): string {
  return `${source}_${agent}.npy`;
}

/** The source and agent of an array file name, or undefined for any other name. */
export function parseArrayFileName(name: string): { source: Source; agent: number } | undefined {
  const match = /^(obs|acs|rews|next_obs|dones|states|next_states)_(\d+)\.npy$/.exec(name);
  return match ? { source: match[1] as Source, agent: Number(match[2]) } : undefined;
}
