/**
 * The dataset cards behind a report. Every finished or diverged cell recorded the sha256 of the card of the dataset it
 * trained on; the card with those bytes is looked up under the data directory (`<dataDir>/<taskId>/<level>/seed_<k>_data`)
 * or in the dataset folder a cell named by path. A dataset built on another machine is listed with its sha256 and a note.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseCard, readCardBytes, sha256Hex, type DatasetCard } from '../data/card.ts';
import { isDatasetPath } from '../run/dataset-for-cell.ts';
import { groupBy, type LabelledCell } from './cells.ts';
import type { Table, TableCell } from './table.ts';

export interface UsedDataset {
  taskId: string;
  dataset: string;
  /** sha256 the cells recorded (of card.json, or of the array files for a card-less OMAR folder). */
  sha256: string;
  cells: number;
  /** Where the card was found (relative to the data directory for built levels), with the card. */
  found?: { folder: string; card: DatasetCard };
}

/** The datasets the cells trained on, by task, level and recorded sha256, each with its card when it is here. */
export function usedDatasets(cells: readonly LabelledCell[], dataDir: string): UsedDataset[] {
  const trained = cells.map(({ cell }) => cell).filter((cell) => cell.status !== 'failed');
  const groups = groupBy(trained, (cell) => JSON.stringify([cell.taskId, cell.spec.dataset, cell.datasetSha256]));
  return [...groups.values()]
    .map((members) => {
      const { taskId, spec, datasetSha256 } = members[0];
      const candidates = isDatasetPath(spec.dataset) ? [spec.dataset] : seedFolders(join(dataDir, taskId, spec.dataset));
      const folder = candidates.find((candidate) => {
        const bytes = readCardBytes(candidate);
        return bytes !== undefined && sha256Hex(bytes) === datasetSha256;
      });
      const found = folder && { folder: isDatasetPath(spec.dataset) ? folder : relative(dataDir, folder), card: parseCard(readCardBytes(folder)!, folder) };
      return { taskId, dataset: spec.dataset, sha256: datasetSha256, cells: members.length, ...(found ? { found } : {}) };
    })
    .sort((a, b) => a.taskId.localeCompare(b.taskId) || a.dataset.localeCompare(b.dataset));
}

function seedFolders(levelDir: string): string[] {
  return existsSync(levelDir) ? readdirSync(levelDir).sort().map((name) => join(levelDir, name)) : [];
}

/** One row per used dataset: where its card is, its size, episode returns and the reference returns of its scores. */
export function datasetsTable(used: readonly UsedDataset[]): Table {
  return {
    caption:
      'Datasets the cells trained on, from their cards: transitions, whole episodes, episode return (mean ± sd over episodes, ' +
      'then min to max) and the random and expert reference returns of the normalised scores (spec §1.6).',
    keyHeaders: ['Task', 'Dataset', 'Card'],
    valueHeaders: ['Transitions', 'Episodes', 'Episode return', 'Return range', 'R random', 'R expert', 'Origin', 'Cells'],
    rows: used.map(({ taskId, dataset, sha256, cells, found }) => {
      const count: TableCell = { text: String(cells) };
      if (!found) {
        const missing = `no card found with sha256 ${sha256.slice(0, 12)}… (built on another machine, or data without a card)`;
        return { keys: [taskId, dataset, missing], cells: [undefined, undefined, undefined, undefined, undefined, undefined, undefined, count] };
      }
      const { card } = found;
      const { episodeReturn: r, reference } = card;
      return {
        keys: [taskId, dataset, found.folder],
        cells: [
          { text: String(card.transitions) },
          { text: String(card.episodes) },
          { value: r.mean, spread: r.sd },
          { interval: [r.min, r.max] },
          { value: reference.random },
          { value: reference.expert },
          { text: `${card.origin}, ${card.createdAt.slice(0, 10)}` },
          count,
        ],
      };
    }),
  };
}
