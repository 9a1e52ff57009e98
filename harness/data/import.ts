/**
 * Imports OMAR's own dataset files (spec §3.2: `<env>/<level>/seed_<k>_data/*.npy`, float64 allowed, prey files
 * included) into our layout: float32 files with a card (`origin: 'imported'`), checked against the environment's
 * shapes. Episode returns are agent 0's reward column summed over whole episodes, as OG-MARL's card of the OMAR
 * data computes them; reference returns are the literature's (spec §1.6).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EnvSpec } from '../../contracts/types.ts';
import type { NpyArray } from './npy.ts';
import type { DatasetCard } from './card.ts';
import type { DatasetProblem } from './check.ts';
import { requireExists } from '../files.ts';
import { arrayFileName, datasetFolder, parseSeedFolderName, type Source } from './layout.ts';
import { agentTransitions, readDatasetArrays, type AgentArrays } from './load.ts';
import { literatureReference } from './references.ts';
import { resolveEnvSpec } from './env-spec.ts';
import { writeDataset } from './write.ts';
import { subfolders } from './list.ts';

export interface ImportOptions {
  /** An OMAR environment folder (`<level>/seed_<k>_data`), a level folder (`seed_<k>_data`) or one seed folder. */
  from: string;
  /** Our environment name; `envOptions` are merged over its defaults. */
  env: string;
  envOptions?: Record<string, unknown>;
  dataDir: string;
  /** Only this level (default: every level found; a lone seed folder takes its parent's name). */
  level?: string;
  /** Only this seed (default: every seed found; required for a lone folder not named seed_<k>_data). */
  seed?: number;
  /** Replace datasets that already exist. @default false */
  overwrite?: boolean;
}

export interface ImportedDataset {
  source: string;
  folder: string;
  card: DatasetCard;
  /** What is odd but usable in the source (episode structure). */
  warnings: DatasetProblem[];
}

interface OmarFolder {
  folder: string;
  level: string;
  seed: number;
}

/** Imports every OMAR seed folder under `options.from`; returns what it wrote. */
export async function importOmarDataset(options: ImportOptions): Promise<ImportedDataset[]> {
  const { spec, options: envOptions } = await resolveEnvSpec(options.env, options.envOptions);
  const reference = literatureReference(spec.name, spec.taskId);
  const imported: ImportedDataset[] = [];
  requireExists(options.from, 'OMAR dataset folder');
  for (const source of findOmarFolders(resolve(options.from), options.level, options.seed)) {
    const warnings: DatasetProblem[] = [];
    const { arrays, scan } = readDatasetArrays(source.folder, spec, (w) => warnings.push(w));
    const agents = agentTransitions(arrays);
    const folder = datasetFolder(options.dataDir, spec.taskId, source.level, source.seed);
    const card = await writeDataset(folder, agents, {
      env: spec.name,
      envOptions,
      taskId: spec.taskId,
      level: source.level,
      generator: {
        importedFrom: source.folder,
        format: 'OMAR',
        sourceSha256: scan.sha256,
        episodeReturn: `agent 0 reward column summed over whole ${spec.episodeLength}-step episodes (OG-MARL's card)`,
      },
      episodeLength: spec.episodeLength,
      episodeReturns: wholeEpisodeReturns(agents[0].rews, spec, source.folder),
      reference: { random: reference.random, expert: reference.expert, source: reference.source },
      states: scan.hasStates ? { states: arrays[0].states!.data, nextStates: arrays[0].next_states!.data, dim: arrays[0].states!.shape[1] } : undefined,
      origin: 'imported',
      dtype: sourceDtypes(arrays),
    }, { overwrite: options.overwrite });
    imported.push({ source: source.folder, folder, card, warnings });
  }
  return imported;
}

/** Returns of the whole episodes in a reward column stored episode-contiguously (spec §3.1); a partial tail is left out. */
function wholeEpisodeReturns(rews: Float32Array, spec: EnvSpec, folder: string): number[] {
  const length = spec.episodeLength;
  const episodes = Math.floor(rews.length / length);
  if (episodes === 0) throw new Error(`${folder}: ${rews.length} rows hold no whole ${length}-step episode of ${spec.taskId}`);
  return Array.from({ length: episodes }, (_, e) => {
    let sum = 0;
    for (let t = e * length; t < (e + 1) * length; t++) sum += rews[t];
    return sum;
  });
}

/** Per source, float64 when any agent's file of it was float64. */
function sourceDtypes(arrays: AgentArrays[]): Partial<Record<Source, NpyArray['dtype']>> {
  const dtype: Partial<Record<Source, NpyArray['dtype']>> = {};
  for (const agent of arrays) {
    for (const [source, array] of Object.entries(agent) as [Source, NpyArray][]) {
      if (dtype[source] !== 'float64') dtype[source] = array.dtype;
    }
  }
  return dtype;
}

/** The seed folders under `from`, whichever of the three OMAR levels of the layout it names. */
function findOmarFolders(from: string, level?: string, seed?: number): OmarFolder[] {
  if (isSeedFolder(from)) {
    const ownSeed = seed ?? parseSeedFolderName(basename(from));
    if (ownSeed === undefined) throw new Error(`${from} is not named seed_<k>_data: give the seed`);
    return [{ folder: from, level: level ?? basename(dirname(from)), seed: ownSeed }];
  }
  const seedsOf = (levelFolder: string, levelName: string) =>
    subfolders(levelFolder)
      .map((name) => ({ folder: join(levelFolder, name), level: levelName, seed: parseSeedFolderName(name) }))
      .filter((f): f is OmarFolder => f.seed !== undefined && isSeedFolder(f.folder) && (seed === undefined || f.seed === seed));
  const direct = subfolders(from).some((name) => parseSeedFolderName(name) !== undefined);
  const found = direct
    ? seedsOf(from, level ?? basename(from))
    : subfolders(from).filter((name) => level === undefined || name === level).flatMap((name) => seedsOf(join(from, name), name));
  if (found.length === 0) {
    const filters = [level && `level ${level}`, seed !== undefined && `seed ${seed}`].filter(Boolean).join(', ');
    throw new Error(`no OMAR dataset folders (seed_<k>_data holding obs_0.npy) under ${from}${filters ? ` for ${filters}` : ''}`);
  }
  return found;
}

function isSeedFolder(folder: string): boolean {
  return existsSync(join(folder, arrayFileName('obs', 0)));
}
