/**
 * Writes a dataset folder atomically (spec §3.2): every `.npy` and then `card.json` go into a hidden sibling
 * temporary folder, which is renamed into place only when complete. A killed build leaves at most a hidden
 * `.seed_<k>_data.tmp-*` folder, which nothing treats as a dataset.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AgentTransitions } from '../../contracts/types.ts';
import { DataShapeError, DataValueError } from '../../contracts/errors.ts';
import { validateOrThrow } from '../schema.ts';
import { encodeNpy } from './npy.ts';
import { CARD_FILE, CORE_SOURCES, arrayFileName, type Source } from './layout.ts';
import { valueProblem } from './values.ts';
import {
  CARD_SCHEMA, harnessVersion, returnStats, sha256Hex, type CardFile, type DatasetCard, type ReferenceReturns,
} from './card.ts';

/** Global states (HalfCheetah), `N × dim` each; written as `states_i`/`next_states_i` for every agent i. */
export interface StateArrays {
  states: Float32Array;
  nextStates: Float32Array;
  dim: number;
}

/** What the card says about the data besides what the arrays show. */
export interface DatasetMeta {
  env: string;
  envOptions: Record<string, unknown>;
  taskId: string;
  level: string;
  /** Generator config and seeds (built) or where the data came from (imported); free-form. */
  generator: Record<string, unknown>;
  episodeLength: number;
  /** Return of every whole episode in the data. */
  episodeReturns: number[];
  reference: ReferenceReturns;
  states?: StateArrays;
  /** @default 'built' */
  origin?: 'built' | 'imported';
  /** dtype of each source before conversion; @default float32 for every source written */
  dtype?: Partial<Record<Source, 'float32' | 'float64'>>;
}

export interface WriteOptions {
  /** Replace an existing folder instead of refusing. @default false */
  overwrite?: boolean;
}

/**
 * Writes `{obs,acs,rews,next_obs,dones}_<i>.npy` for every environment agent i (prey included), optional global
 * states, and `card.json` with the sha256 of every file; returns the card. Refuses to replace an existing folder
 * unless `options.overwrite`.
 */
export async function writeDataset(
  folder: string,
  agents: AgentTransitions[],
  meta: DatasetMeta,
  options: WriteOptions = {},
): Promise<DatasetCard> {
  const arrays = arraysToWrite(folder, agents, meta.states);
  refuseExisting(folder, options);
  const temp = join(dirname(folder), `.${basename(folder)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp, { recursive: true });
  try {
    const files: CardFile[] = [];
    for (const { path, values, shape } of arrays) {
      const bytes = encodeNpy(values, shape);
      await writeFile(join(temp, path), bytes);
      files.push({ path, sha256: sha256Hex(bytes), bytes: bytes.length, shape });
    }
    const card = buildCard(meta, files, agents);
    await writeFile(join(temp, CARD_FILE), `${JSON.stringify(card, null, 2)}\n`);
    await moveIntoPlace(temp, folder, options);
    return card;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

interface ArrayToWrite {
  path: string;
  values: Float32Array;
  shape: number[];
}

/**
 * Checks that every array has the same row count and whole rows and that its values are usable (`values.ts`: no card
 * is ever written for data holding NaN, ±Inf or out-of-range actions), and names the files to write in `folder`.
 */
function arraysToWrite(folder: string, agents: AgentTransitions[], states?: StateArrays): ArrayToWrite[] {
  if (agents.length === 0) throw new RangeError('a dataset needs at least one agent');
  const rows = agents[0].rews.length;
  if (rows === 0) throw new RangeError('a dataset needs at least one transition');
  const out: ArrayToWrite[] = [];
  const add = (source: Source, agent: number, values: Float32Array, columns?: number) => {
    const path = arrayFileName(source, agent);
    const width = columns ?? values.length / rows;
    if (!Number.isInteger(width) || width < 1 || values.length !== rows * width) {
      throw new DataShapeError(path, `${values.length} values do not make ${rows} rows${columns ? ` of ${columns}` : ''}`);
    }
    const bad = valueProblem(source, values, width);
    if (bad) throw new DataValueError(join(folder, path), bad);
    out.push({ path, values, shape: source === 'rews' || source === 'dones' ? [rows] : [rows, width] });
  };
  agents.forEach((a, i) => {
    add('obs', i, a.obs);
    add('acs', i, a.acts);
    add('rews', i, a.rews, 1);
    add('next_obs', i, a.nextObs, a.obs.length / rows);
    add('dones', i, a.dones, 1);
    if (states) {
      add('states', i, states.states, states.dim);
      add('next_states', i, states.nextStates, states.dim);
    }
  });
  return out;
}

function buildCard(meta: DatasetMeta, files: CardFile[], agents: AgentTransitions[]): DatasetCard {
  const written: Source[] = meta.states ? [...CORE_SOURCES, 'states', 'next_states'] : [...CORE_SOURCES];
  const card: DatasetCard = {
    env: meta.env,
    envOptions: meta.envOptions,
    taskId: meta.taskId,
    level: meta.level,
    generator: meta.generator,
    transitions: agents[0].rews.length,
    episodes: meta.episodeReturns.length,
    episodeLength: meta.episodeLength,
    episodeReturn: returnStats(meta.episodeReturns),
    reference: meta.reference,
    donesFraction: donesFraction(agents),
    dtype: meta.dtype ?? Object.fromEntries(written.map((s) => [s, 'float32'])),
    files,
    harnessVersion: harnessVersion(),
    createdAt: new Date().toISOString(),
    origin: meta.origin ?? 'built',
  };
  return validateOrThrow<DatasetCard>(CARD_SCHEMA, card, 'dataset card');
}

/** Fraction of ones over every agent's dones (spec §3.1: ours are all 0; foreign data reports its own). */
function donesFraction(agents: AgentTransitions[]): number {
  let ones = 0;
  let total = 0;
  for (const a of agents) {
    for (const d of a.dones) if (d !== 0) ones++;
    total += a.dones.length;
  }
  return ones / total;
}

function refuseExisting(folder: string, options: WriteOptions): void {
  if (existsSync(folder) && !options.overwrite) throw new Error(`${folder} already exists and replacing it was not asked for`);
}

/** Renames the finished folder into place; an existing one is moved aside first and removed after. */
async function moveIntoPlace(temp: string, folder: string, options: WriteOptions): Promise<void> {
  refuseExisting(folder, options);
  if (!existsSync(folder)) {
    await rename(temp, folder);
    return;
  }
  const aside = `${temp}.old`;
  await rename(folder, aside);
  await rename(temp, folder);
  await rm(aside, { recursive: true, force: true });
}
