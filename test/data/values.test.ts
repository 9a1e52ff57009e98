/**
 * Datasets are checked for values, not only checksums: NaN, ±Inf and actions outside [−1, 1] are refused by import,
 * verify, loading for training and writing, each naming the file, the row and the column; dones that do not follow the
 * episode layout are warnings.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../harness/backend.ts';
import { verifyDataset } from '../../harness/data/check.ts';
import { importOmarDataset } from '../../harness/data/import.ts';
import { loadDataset } from '../../harness/data/load.ts';
import { writeDataset } from '../../harness/data/write.ts';
import { DataValueError } from '../../contracts/errors.ts';
import { runCell } from '../../harness/run/cell.ts';
import { float64Npy, makeAgents, specOf, toyMeta, useTempDirs, writeOmarFolder } from './fixtures.ts';

const tempDir = useTempDirs();
const SPREAD_OBS = [18, 18, 18];
const SPREAD_ACT = [2, 2, 2];
/** An environment spec with 25-step episodes (MPE) for the toy widths used below. */
const SPREAD = { ...specOf(SPREAD_OBS, SPREAD_ACT, 'simple_spread[n=3]', 25), name: 'simple_spread' };

/** An OMAR seed folder of `rows` rows whose `file` (e.g. obs_0) is replaced by `values` of `shape`. */
function omarFolderWith(rows: number, file: string, shape: number[], edit: (values: number[]) => void): string {
  const folder = writeOmarFolder(join(tempDir(), 'simple_spread', 'expert', 'seed_0_data'), rows, SPREAD_OBS, SPREAD_ACT);
  const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => (file.startsWith('acs') ? 0.5 : k % 7) * (k % 2 ? 1 : -1));
  edit(values);
  writeFileSync(join(folder, `${file}.npy`), float64Npy(values, shape));
  return folder;
}

describe('value checks', () => {
  it("an OMAR folder whose obs_0.npy holds one NaN: import names file, row and column and writes no card; training fails with the same message instead of 'diverged'", async () => {
    const folder = omarFolderWith(25, 'obs_0', [25, 18], (v) => (v[7 * 18 + 3] = NaN));
    const message = `${join(folder, 'obs_0.npy')}: row 7, column 3 (from 0) is NaN; 1 non-finite value in the file`;
    const dataDir = tempDir();

    await expect(importOmarDataset({ from: folder, env: 'simple_spread', dataDir })).rejects.toThrow(message);
    expect(readdirSync(dataDir)).toEqual([]);
    expect(verifyDataset(folder, SPREAD).problems.map((p) => [p.kind, p.file, p.error.message])).toEqual([['values', 'obs_0.npy', message]]);

    await initBackend('cpu', () => undefined);
    const result = await runCell(
      { algorithm: 'bc', config: {}, preset: 'cpu', env: 'simple_spread', envOptions: {}, dataset: folder, datasetPreset: 'smoke', seed: 0, budget: { updates: 2, evalEvery: 1, episodes: 1 } },
      { dataDir },
    );
    expect(result).toMatchObject({ status: 'failed', error: message });
  });

  it('actions may exceed [−1, 1] by float rounding (1e-4) but not more; infinities anywhere are refused', () => {
    const rounding = omarFolderWith(25, 'acs_1', [25, 2], (v) => ((v[0] = 1.00005), (v[1] = -1.00009)));
    expect(loadDataset(rounding, SPREAD).size).toBe(25);

    const beyond = omarFolderWith(25, 'acs_1', [25, 2], (v) => ((v[2 * 12 + 1] = 1.5), (v[2 * 20] = -1.0002)));
    expect(() => loadDataset(beyond, SPREAD)).toThrow(
      `${join(beyond, 'acs_1.npy')}: row 12, column 1 (from 0) is 1.5, outside the action range [−1, 1] (tolerance 0.0001); 2 non-finite or out-of-range values in the file`,
    );
    const infinite = omarFolderWith(25, 'rews_2', [25], (v) => ((v[24] = -Infinity), (v[3] = Infinity)));
    expect(() => loadDataset(infinite, SPREAD)).toThrow(`${join(infinite, 'rews_2.npy')}: row 3, column 0 (from 0) is Infinity; 2 non-finite values in the file`);
  });

  it('writing a dataset with a NaN is refused before any file or card exists', async () => {
    const folder = join(tempDir(), 'toy[n=2]', 'expert', 'seed_0_data');
    const agents = makeAgents(4, [3, 2], [2, 1]);
    agents[1].nextObs[2 * 2 + 1] = NaN;
    const writing = writeDataset(folder, agents, toyMeta([1, 2]));
    await expect(writing).rejects.toThrow(DataValueError);
    await expect(writeDataset(folder, agents, toyMeta([1, 2]))).rejects.toThrow(`${join(folder, 'next_obs_1.npy')}: row 2, column 1 (from 0) is NaN`);
    expect(existsSync(join(folder, '..'))).toBe(false);
  });

  it('dones that do not mark exactly the ends of 25-step episodes, and a partial last episode, are warnings', () => {
    // writeOmarFolder marks agent 0's dones at rows 24, 49, …: OMAR's layout, no warning.
    const layout = writeOmarFolder(join(tempDir(), 'seed_0_data'), 50, SPREAD_OBS, SPREAD_ACT);
    expect(verifyDataset(layout, SPREAD)).toEqual({ problems: [], warnings: [] });

    const stray = omarFolderWith(50, 'dones_1', [50], (v) => (v.fill(0), (v[10] = 1)));
    const missing = omarFolderWith(75, 'dones_0', [75], (v) => (v.fill(0), (v[24] = 1), (v[74] = 1)));
    const partial = writeOmarFolder(join(tempDir(), 'seed_0_data'), 60, SPREAD_OBS, SPREAD_ACT);
    const warnings = (folder: string) => verifyDataset(folder, SPREAD).warnings.map((w) => w.error.message);
    expect(warnings(stray)).toEqual([`${join(stray, 'dones_1.npy')}: row 10 is 1 inside a 25-step episode (episodes end at rows 24, 49, …)`]);
    expect(warnings(missing)).toEqual([`${join(missing, 'dones_0.npy')}: marks 2 of 3 episode ends (rows 24, 49, …); a layout that marks them marks all`]);
    expect(warnings(partial)).toEqual([`${partial}: 60 rows are not whole 25-step episodes: the last 10 rows are a partial episode`]);
    expect(verifyDataset(stray, SPREAD).problems).toEqual([]);
  });

  it('a card-less dataset file truncated by one byte is named with the bytes it lacks', () => {
    const folder = writeOmarFolder(join(tempDir(), 'seed_0_data'), 25, SPREAD_OBS, SPREAD_ACT);
    const file = join(folder, 'rews_1.npy');
    writeFileSync(file, float64Npy(new Array(25).fill(0), [25, 1]).subarray(0, -1));
    expect(verifyDataset(folder, SPREAD).problems.map((p) => p.error.message)).toEqual([`${file}: data of shape (25, 1) <f8: expected 200 bytes, found 199`]);
  });
});
