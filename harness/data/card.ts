/**
 * Dataset cards (`card.json`, schema `om2p-bench/dataset-card`): what a dataset folder holds, how it was made,
 * its episode-return statistics, the reference returns of its normalised scores and the sha256 of every file
 * (spec §3.1–3.2).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson } from '../files.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { validateOrThrow } from '../schema.ts';
import { CARD_FILE, type Source } from './layout.ts';

export const CARD_SCHEMA = 'om2p-bench/dataset-card';

export interface CardFile {
  /** File name inside the dataset folder, e.g. `obs_0.npy`. */
  path: string;
  sha256: string;
  bytes: number;
  shape: number[];
}

export interface ReturnStats {
  mean: number;
  /** Over all episodes of the dataset, n denominator (it describes the data, it estimates nothing). */
  sd: number;
  min: number;
  max: number;
}

export interface ReferenceReturns {
  random: number;
  expert: number;
  source: string;
}

export interface DatasetCard {
  env: string;
  envOptions: Record<string, unknown>;
  taskId: string;
  level: string;
  generator: Record<string, unknown>;
  transitions: number;
  episodes: number;
  episodeLength: number;
  episodeReturn: ReturnStats;
  reference: ReferenceReturns;
  donesFraction: number;
  /** dtype each source had before it was written here (files are always float32). */
  dtype: Partial<Record<Source, 'float32' | 'float64'>>;
  files: CardFile[];
  harnessVersion: string;
  createdAt: string;
  origin: 'built' | 'imported';
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Mean, sd (n denominator), min and max of the episode returns; throws on none. */
export function returnStats(returns: readonly number[]): ReturnStats {
  if (returns.length === 0) throw new RangeError('a dataset card needs at least one whole episode');
  let sum = 0;
  for (const r of returns) sum += r;
  const mean = sum / returns.length;
  let squares = 0;
  for (const r of returns) squares += (r - mean) ** 2;
  return { mean, sd: Math.sqrt(squares / returns.length), min: Math.min(...returns), max: Math.max(...returns) };
}

/** The harness version written into cards. */
export function harnessVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Std of the Gaussian exploration noise the behaviour policy added to every action dimension (before clipping to [−1, 1])
 * while collecting the level: the builder records it as `generator.collectionNoise` (MATD3's `explorationNoise`). Undefined
 * for an imported card, one that does not record it, and a random level collected by uniform actions (no policy to add
 * noise to).
 */
export function cardBehaviourNoise(card: DatasetCard): number | undefined {
  const { collectionNoise, budget } = card.generator as { collectionNoise?: unknown; budget?: { randomBehaviour?: unknown } };
  if (card.origin !== 'built' || typeof collectionNoise !== 'number') return undefined;
  if (card.level === 'random' && budget?.randomBehaviour === 'uniform') return undefined;
  return collectionNoise;
}

/** The raw bytes of a folder's card, or undefined when it has none. */
export function readCardBytes(folder: string): Buffer | undefined {
  const path = join(folder, CARD_FILE);
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** Parses and validates card bytes; a bad card throws a ConfigError naming the field. */
export function parseCard(bytes: Buffer, folder: string): DatasetCard {
  const path = join(folder, CARD_FILE);
  return validateOrThrow<DatasetCard>(CARD_SCHEMA, parseJson(bytes.toString('utf8'), path), path);
}

/** The folder's validated card, or undefined when it has none. */
export function readCard(folder: string): DatasetCard | undefined {
  const bytes = readCardBytes(folder);
  return bytes === undefined ? undefined : parseCard(bytes, folder);
}
