/**
 * Lists the datasets under a data directory: every `<taskId>/<level>/seed_<k>_data` folder that holds a card.
 * A folder without card.json (an interrupted write, a foreign copy) is not one of our datasets and is not listed.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CARD_FILE, arrayFileName, parseSeedFolderName } from './layout.ts';
import { readCard } from './card.ts';

export interface DatasetRow {
  taskId: string;
  level: string;
  seed: number;
  transitions: number;
  episodes: number;
  returnMean: number;
  returnSd: number;
  /** Size of the folder's files on disk, in MB (10^6 bytes). */
  megabytes: number;
  origin: 'built' | 'imported';
  folder: string;
}

export interface DatasetListing {
  rows: DatasetRow[];
  /** Folders with a card.json that cannot be read or fails its schema. */
  unreadable: { folder: string; reason: string }[];
}

/** Datasets under `dataDir`, sorted by task id, level and seed. */
export function listDatasets(dataDir: string): DatasetListing {
  const listing: DatasetListing = { rows: [], unreadable: [] };
  for (const taskId of subfolders(dataDir)) {
    for (const level of subfolders(join(dataDir, taskId))) {
      for (const name of subfolders(join(dataDir, taskId, level))) {
        const seed = parseSeedFolderName(name);
        const folder = join(dataDir, taskId, level, name);
        if (seed === undefined || !existsSync(join(folder, CARD_FILE))) continue;
        try {
          const card = readCard(folder)!;
          listing.rows.push({
            taskId,
            level,
            seed,
            transitions: card.transitions,
            episodes: card.episodes,
            returnMean: card.episodeReturn.mean,
            returnSd: card.episodeReturn.sd,
            megabytes: folderBytes(folder) / 1e6,
            origin: card.origin,
            folder,
          });
        } catch (error) {
          listing.unreadable.push({ folder, reason: (error as Error).message });
        }
      }
    }
  }
  listing.rows.sort((a, b) => a.taskId.localeCompare(b.taskId) || a.level.localeCompare(b.level) || a.seed - b.seed);
  return listing;
}

/**
 * Dataset folders at or under `root` (down to `depth` levels): every folder holding card.json or obs_0.npy, ours or
 * OMAR's. `verify` uses it, so a data directory, an OMAR environment folder or one dataset all work.
 */
export function findDatasetFolders(root: string, depth = 3): string[] {
  if (existsSync(join(root, CARD_FILE)) || existsSync(join(root, arrayFileName('obs', 0)))) return [root];
  if (depth === 0) return [];
  return subfolders(root).flatMap((name) => findDatasetFolders(join(root, name), depth - 1));
}

/** Visible subfolder names, sorted (hidden ones hold interrupted writes); none for a missing folder. */
export function subfolders(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

function folderBytes(folder: string): number {
  return readdirSync(folder).reduce((total, name) => total + statSync(join(folder, name)).size, 0);
}
