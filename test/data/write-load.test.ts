import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDataset } from '../../harness/data/write.ts';
import { loadDataset } from '../../harness/data/load.ts';
import { listDatasets } from '../../harness/data/list.ts';
import { datasetFolder } from '../../harness/data/layout.ts';
import { ChecksumError, DataShapeError } from '../../contracts/errors.ts';
import { validationErrors } from '../../harness/schema.ts';
import { makeAgents, specOf, toyMeta, useTempDirs } from './fixtures.ts';

const tempDir = useTempDirs();
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('writeDataset and loadDataset', () => {
  it('writes every agent file and a card whose numbers and checksums match the files', async () => {
    const folder = datasetFolder(tempDir(), 'toy[n=2]', 'expert', 3);
    const card = await writeDataset(folder, makeAgents(4, [3, 2], [2, 1]), toyMeta([1, 2, 3, 6]));
    expect(folder.endsWith(join('toy[n=2]', 'expert', 'seed_3_data'))).toBe(true);
    expect(readdirSync(folder).sort()).toEqual([
      'acs_0.npy', 'acs_1.npy', 'card.json', 'dones_0.npy', 'dones_1.npy', 'next_obs_0.npy', 'next_obs_1.npy',
      'obs_0.npy', 'obs_1.npy', 'rews_0.npy', 'rews_1.npy',
    ]);
    // No temporary sibling survives the write.
    expect(readdirSync(join(folder, '..'))).toEqual(['seed_3_data']);
    const onDisk = JSON.parse(readFileSync(join(folder, 'card.json'), 'utf8'));
    expect(validationErrors('om2p-bench/dataset-card', onDisk)).toEqual([]);
    expect(onDisk).toEqual(card);
    expect(card.transitions).toBe(4);
    expect(card.episodes).toBe(4);
    // returns 1, 2, 3, 6: mean 3, sd √((4 + 1 + 0 + 9) / 4), min 1, max 6
    expect(card.episodeReturn).toEqual({ mean: 3, sd: Math.sqrt(3.5), min: 1, max: 6 });
    expect(card.donesFraction).toBe(0);
    expect(card.origin).toBe('built');
    expect(card.dtype).toEqual({ obs: 'float32', acs: 'float32', rews: 'float32', next_obs: 'float32', dones: 'float32' });
    for (const file of card.files) {
      const bytes = readFileSync(join(folder, file.path));
      expect(file.sha256).toBe(sha(bytes));
      expect(file.bytes).toBe(bytes.length);
    }
    expect(card.files.find((f) => f.path === 'obs_1.npy')!.shape).toEqual([4, 2]);
    expect(card.files.find((f) => f.path === 'rews_0.npy')!.shape).toEqual([4]);
  });

  it('loads what it wrote, with per-agent observation moments and the card hash', async () => {
    const folder = join(tempDir(), 'seed_0_data');
    await writeDataset(folder, makeAgents(4, [3, 2], [2, 1]), toyMeta([1, 2]));
    const data = loadDataset(folder, specOf([3, 2], [2, 1]));
    expect(data.size).toBe(4);
    expect(data.env).toBe('toy');
    expect(data.level).toBe('expert');
    expect(data.reference).toEqual({ random: 0, expert: 10, source: 'test' });
    expect(data.sha256).toBe(sha(readFileSync(join(folder, 'card.json'))));
    // agent 1 obs = 1000 + 10·row + column, rows 0..3: column means 1015, 1016; std of {0,10,20,30} = √125
    expect([...data.obsMean[1]]).toEqual([1015, 1016]);
    expect(data.obsStd[1][0]).toBeCloseTo(Math.sqrt(125), 4);
    expect([...data.agents[0].acts.subarray(2, 4)]).toEqual([10, 11].map((v) => Math.fround(v / 1e4)));
    expect([...data.agents[1].rews]).toEqual([1000, 1010, 1020, 1030]);
  });

  it('writes global states for every agent when given', async () => {
    const folder = join(tempDir(), 'seed_0_data');
    const states = { states: new Float32Array(2 * 5).fill(1), nextStates: new Float32Array(2 * 5).fill(2), dim: 5 };
    const card = await writeDataset(folder, makeAgents(2, [3, 3], [1, 1]), toyMeta([1], { states }));
    expect(card.files.map((f) => f.path)).toContain('next_states_1.npy');
    expect(card.files.find((f) => f.path === 'states_0.npy')!.shape).toEqual([2, 5]);
    expect(card.dtype.states).toBe('float32');
    expect(loadDataset(folder, { ...specOf([3, 3], [1, 1]), stateDim: 5 }).size).toBe(2);
    expect(() => loadDataset(folder, { ...specOf([3, 3], [1, 1]), stateDim: 17 })).toThrow(/states_0\.npy.*\(2, 5\).*expects \(2, 17\)/);
  });

  it('refuses to replace an existing folder unless asked to', async () => {
    const folder = join(tempDir(), 'seed_0_data');
    await writeDataset(folder, makeAgents(2, [1], [1]), toyMeta([1]));
    await expect(writeDataset(folder, makeAgents(2, [1], [1]), toyMeta([5]))).rejects.toThrow(/already exists and replacing it was not asked for/);
    const card = await writeDataset(folder, makeAgents(2, [1], [1]), toyMeta([5]), { overwrite: true });
    expect(card.episodeReturn.mean).toBe(5);
    expect(readdirSync(join(folder, '..'))).toEqual(['seed_0_data']);
  });

  it('rejects arrays that do not make whole rows, naming the file', async () => {
    const agents = makeAgents(3, [2], [1]);
    agents[0].nextObs = agents[0].nextObs.subarray(1);
    await expect(writeDataset(join(tempDir(), 'd'), agents, toyMeta([1]))).rejects.toThrow(/next_obs_0\.npy: 5 values do not make 3 rows of 2/);
  });

  it('names the file and both shapes when an observation width disagrees with the environment', async () => {
    const folder = join(tempDir(), 'seed_0_data');
    await writeDataset(folder, makeAgents(4, [3, 2], [2, 1]), toyMeta([1]));
    const load = () => loadDataset(folder, specOf([3, 4], [2, 1]));
    expect(load).toThrow(DataShapeError);
    expect(load).toThrow(/obs_1\.npy: has shape \(4, 2\) but toy\[n=2\] expects \(4, 4\)/);
    expect(() => loadDataset(folder, specOf([3, 2, 1], [2, 1, 1]))).toThrow(/files for 2 agents; toy\[n=2\] has 3/);
  });

  it('reports a flipped byte as a checksum mismatch naming the file', async () => {
    const folder = join(tempDir(), 'seed_0_data');
    await writeDataset(folder, makeAgents(4, [3, 2], [2, 1]), toyMeta([1]));
    const path = join(folder, 'acs_1.npy');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 0x01;
    writeFileSync(path, bytes);
    expect(() => loadDataset(folder)).toThrow(ChecksumError);
    expect(() => loadDataset(folder)).toThrow(/acs_1\.npy/);
  });

  it('never lists a folder without card.json', async () => {
    const dataDir = tempDir();
    await writeDataset(datasetFolder(dataDir, 'toy[n=2]', 'expert', 0), makeAgents(2, [1], [1]), toyMeta([1, 3]));
    await writeDataset(datasetFolder(dataDir, 'toy[n=2]', 'random', 1), makeAgents(2, [1], [1]), toyMeta([1], { level: 'random' }));
    // an interrupted write: the files are there, the card is not
    const half = datasetFolder(dataDir, 'toy[n=2]', 'medium', 0);
    mkdirSync(half, { recursive: true });
    writeFileSync(join(half, 'obs_0.npy'), readFileSync(join(datasetFolder(dataDir, 'toy[n=2]', 'expert', 0), 'obs_0.npy')));
    mkdirSync(join(dataDir, 'toy[n=2]', 'expert', '.seed_1_data.tmp-1-ab'), { recursive: true });
    const { rows, unreadable } = listDatasets(dataDir);
    expect(unreadable).toEqual([]);
    expect(rows.map((r) => [r.taskId, r.level, r.seed, r.transitions, r.episodes, r.returnMean, r.returnSd])).toEqual([
      ['toy[n=2]', 'expert', 0, 2, 2, 2, 1],
      ['toy[n=2]', 'random', 1, 2, 1, 1, 0],
    ]);
    expect(rows[0].megabytes).toBeGreaterThan(0);
    expect(existsSync(half)).toBe(true);
  });
});
