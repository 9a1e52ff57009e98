/**
 * The behaviour-policy cache (spec §3.1 "Reuse"): after one MATD3 training run, `<dataDir>/<taskId>/_behaviour/<preset>-seed<k>/`
 * holds what every level needs, so building another level or a bigger size never retrains:
 * `behaviour.json` (config, budget, target, every checkpoint's evaluation return, why training stopped, the expert and medium
 * indices and the replay cut),
 * `actors-{random,medium,expert}.json` (actor weights) and `replay/` (the replay buffer up to the medium cut, as
 * `<source>_<i>.npy`). The folder is written under a temporary name and renamed when complete, so a killed build leaves
 * nothing that looks complete.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Matd3Config } from '../registry.ts';
import type { EnvSpec, NamedWeights, TrainingBudget } from '../../contracts/types.ts';
import type { StopReason } from './build-levels.ts';
import type { CheckpointSummary } from './build-train.ts';
import type { ExpertTarget } from './references.ts';
import type { Episodes } from './build-store.ts';
import { readJsonFile } from '../files.ts';
import { arrayFileName, type Source } from './layout.ts';
import { encodeNpy, readNpy } from './npy.ts';

const SUMMARY_FILE = 'behaviour.json';
const ACTOR_ROLES = ['random', 'medium', 'expert'] as const;
type ActorRole = (typeof ACTOR_ROLES)[number];

export interface BehaviourCache {
  config: Matd3Config;
  budget: TrainingBudget;
  /** The return training aimed at (absent: none for this task). */
  target?: ExpertTarget;
  checkpoints: CheckpointSummary[];
  stop: StopReason;
  /** Index into `checkpoints` of the expert policy, the best evaluated (spec §3.1 rule). */
  expertIndex: number;
  /** Index into `checkpoints` of the medium policy (spec §3.1 rule). */
  mediumIndex: number;
  trainingMs: number;
  actors: Record<ActorRole, NamedWeights>;
  /** The replay buffer's whole episodes at the medium checkpoint. */
  replay: Episodes;
}

type Summary = Omit<BehaviourCache, 'actors' | 'replay'> & { replayEpisodeReturns: number[] };

export function behaviourFolder(dataDir: string, taskId: string, preset: string, seed: number): string {
  return join(dataDir, taskId, '_behaviour', `${preset}-seed${seed}`);
}

/** The cache in `folder`, or undefined when there is none (an unfinished write never counts). */
export function readBehaviourCache(folder: string, spec: EnvSpec): BehaviourCache | undefined {
  if (!existsSync(join(folder, SUMMARY_FILE))) return undefined;
  const summary = readJsonFile(join(folder, SUMMARY_FILE)) as Summary;
  const { replayEpisodeReturns, ...rest } = summary;
  const actors = Object.fromEntries(
    ACTOR_ROLES.map((role) => [role, readJsonFile(join(folder, `actors-${role}.json`)) as NamedWeights]),
  ) as Record<ActorRole, NamedWeights>;
  const read = (source: Source, i: number) => readNpy(join(folder, 'replay', arrayFileName(source, i))).data;
  const replay: Episodes = {
    agents: spec.obsDims.map((_, i) => ({
      obs: read('obs', i), acts: read('acs', i), rews: read('rews', i), nextObs: read('next_obs', i), dones: read('dones', i),
    })),
    states: spec.stateDim ? { states: read('states', 0), nextStates: read('next_states', 0), dim: spec.stateDim } : undefined,
    episodeReturns: replayEpisodeReturns,
  };
  return { ...rest, actors, replay };
}

/** Writes the cache atomically (temporary sibling folder, then rename). */
export async function writeBehaviourCache(folder: string, cache: BehaviourCache): Promise<void> {
  const temp = join(dirname(folder), `.${basename(folder)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(join(temp, 'replay'), { recursive: true });
  try {
    const rows = cache.replay.agents[0].rews.length;
    const put = (source: Source, i: number, values: Float32Array) => {
      const width = values.length / rows;
      return writeFile(join(temp, 'replay', arrayFileName(source, i)), encodeNpy(values, width === 1 ? [rows] : [rows, width]));
    };
    for (const [i, a] of cache.replay.agents.entries()) {
      await Promise.all([put('obs', i, a.obs), put('acs', i, a.acts), put('rews', i, a.rews), put('next_obs', i, a.nextObs), put('dones', i, a.dones)]);
    }
    if (cache.replay.states) await Promise.all([put('states', 0, cache.replay.states.states), put('next_states', 0, cache.replay.states.nextStates)]);
    for (const role of ACTOR_ROLES) await writeFile(join(temp, `actors-${role}.json`), JSON.stringify(cache.actors[role]));
    const { actors: _actors, replay, ...rest } = cache;
    const summary: Summary = { ...rest, replayEpisodeReturns: replay.episodeReturns };
    // The summary goes last: its presence is what marks the cache complete inside the folder too.
    await writeFile(join(temp, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    await rm(folder, { recursive: true, force: true });
    await rename(temp, folder);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
