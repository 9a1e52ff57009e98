/**
 * Which dataset a cell trains on: a level built by the harness (`<dataDir>/<taskId>/<level>/seed_<k>_data`; training seed k uses
 * `seed_<k mod #datasets>`, as OMAR) or, when `dataset` is a path, any OMAR-layout folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { datasetFolder, parseSeedFolderName } from '../data/layout.ts';
import { loadDataset } from '../data/load.ts';
import type { CellSpec, Dataset, EnvSpec } from '../../contracts/types.ts';

export function isDatasetPath(dataset: string): boolean {
  return dataset.includes('/') || dataset.startsWith('.');
}

/** The folder a cell reads, without loading it. */
export function cellDatasetFolder(spec: CellSpec, envSpec: EnvSpec, dataDir: string): string {
  if (isDatasetPath(spec.dataset)) return spec.dataset;
  const levelDir = join(dataDir, envSpec.taskId, spec.dataset);
  const seeds = existsSync(levelDir)
    ? readdirSync(levelDir)
        .filter((name) => existsSync(join(levelDir, name, 'card.json')))
        .map(parseSeedFolderName)
        .filter((seed): seed is number => seed !== undefined)
        .sort((a, b) => a - b)
    : [];
  if (seeds.length === 0) {
    throw new Error(`no ${spec.dataset} dataset for ${envSpec.taskId} in ${dataDir} (build it: om2p-bench datasets build --env ${spec.env} --levels ${spec.dataset} --preset ${spec.datasetPreset})`);
  }
  return datasetFolder(dataDir, envSpec.taskId, spec.dataset, seeds[spec.seed % seeds.length]);
}

export function openCellDataset(spec: CellSpec, envSpec: EnvSpec, dataDir: string): Dataset {
  return loadDataset(cellDatasetFolder(spec, envSpec, dataDir), envSpec);
}
