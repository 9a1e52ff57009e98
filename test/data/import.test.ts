import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOmarDataset } from '../../harness/data/import.ts';
import { loadDataset } from '../../harness/data/load.ts';
import { verifyDataset } from '../../harness/data/check.ts';
import { datasetFolder } from '../../harness/data/layout.ts';
import { DataShapeError } from '../../contracts/errors.ts';
import type { EnvSpec } from '../../contracts/types.ts';
import { float64Npy, specOf, useTempDirs, writeOmarFolder } from './fixtures.ts';

const tempDir = useTempDirs();

/** spec §1.3: 3 predators (obs 16) then the prey (obs 14), all 2-D actions, 25-step episodes. */
const TAG_OBS = [16, 16, 16, 14];
const TAG_ACT = [2, 2, 2, 2];
const SPREAD_OBS = [18, 18, 18];

/** OMAR's prey checkpoint (spec §1.5): imports of tag data need the task it was collected on. Read, never copied. */
const OMAR_TAG_PREY = fileURLToPath(new URL('../../../shared/reference/omar-prey/simple_tag.pretrained_adv_model.pt', import.meta.url));
const OMAR_TAG_SPEC: EnvSpec = { ...specOf(TAG_OBS, TAG_ACT, 'simple_tag[prey=omar]', 25), name: 'simple_tag', learnedAgents: [0, 1, 2] };

describe('importOmarDataset', () => {
  it.skipIf(!existsSync(OMAR_TAG_PREY))('imports a float64 OMAR folder with the prey files into float32 with a card', async () => {
    const omar = tempDir();
    // 60 rows: two whole 25-step episodes and a 10-row tail that no episode return counts.
    writeOmarFolder(join(omar, 'simple_tag', 'expert', 'seed_0_data'), 60, TAG_OBS, TAG_ACT);
    const dataDir = tempDir();
    const [imported, ...rest] = await importOmarDataset({ from: join(omar, 'simple_tag'), env: 'simple_tag', envOptions: { prey: OMAR_TAG_PREY }, dataDir });
    expect(rest).toEqual([]);
    const { card, folder } = imported;
    expect(folder).toBe(datasetFolder(dataDir, 'simple_tag[prey=omar]', 'expert', 0));
    expect(card.origin).toBe('imported');
    expect(card.transitions).toBe(60);
    expect(card.files).toHaveLength(4 * 5);
    expect(card.dtype).toEqual({ obs: 'float64', acs: 'float64', rews: 'float64', next_obs: 'float64', dones: 'float64' });
    // agent 0 rews = 0.5·row: episode 0 sums rows 0–24 = 150, episode 1 rows 25–49 = 462.5 (sd with n: 156.25)
    expect(card.episodes).toBe(2);
    expect(card.episodeReturn).toEqual({ mean: 306.25, sd: 156.25, min: 150, max: 462.5 });
    // ones at rows 24 and 49 of agent 0 among 4 agents × 60 rows
    expect(card.donesFraction).toBeCloseTo(2 / 240, 12);
    expect(card.reference.random).toBe(-4.1);
    expect(card.reference.expert).toBe(185.6);
    expect(card.reference.source).toMatch(/literature/);

    const data = loadDataset(folder, OMAR_TAG_SPEC);
    expect(data.agents.map((a) => a.obs.length / data.size)).toEqual(TAG_OBS);
    const prey = data.agents[3];
    expect(prey.obs[14 * 59 + 13]).toBe(Math.fround(3000 + 590 + 13 + 0.125));
    expect(prey.nextObs[0]).toBe(3010.125);
    expect(prey.acts[1]).toBe(Math.fround(3001 / 1e4));
    expect(prey.rews).toHaveLength(60);
    expect(data.agents[0].dones[24]).toBe(1);
  });

  it('imports every level and seed under an environment folder, or only the ones asked for', async () => {
    const omar = join(tempDir(), 'simple_spread');
    writeOmarFolder(join(omar, 'expert', 'seed_0_data'), 25, SPREAD_OBS, [2, 2, 2]);
    writeOmarFolder(join(omar, 'random', 'seed_1_data'), 50, SPREAD_OBS, [2, 2, 2]);
    writeOmarFolder(join(omar, 'random', 'seed_2_data'), 25, SPREAD_OBS, [2, 2, 2]);
    const all = await importOmarDataset({ from: omar, env: 'simple_spread', dataDir: tempDir() });
    expect(all.map((d) => [d.card.level, d.card.transitions, d.card.taskId])).toEqual([
      ['expert', 25, 'simple_spread[n=3]'], ['random', 50, 'simple_spread[n=3]'], ['random', 25, 'simple_spread[n=3]'],
    ]);
    expect(all[0].card.reference.expert).toBe(516.8);
    const one = await importOmarDataset({ from: omar, env: 'simple_spread', dataDir: tempDir(), level: 'random', seed: 2 });
    expect(one.map((d) => d.folder.endsWith(join('random', 'seed_2_data')))).toEqual([true]);
    const lone = await importOmarDataset({ from: join(omar, 'random', 'seed_1_data'), env: 'simple_spread', dataDir: tempDir() });
    expect([lone[0].card.level, lone[0].card.transitions]).toEqual(['random', 50]);
  });

  it("refuses to import OMAR's tag data as the task of another prey", async () => {
    const omar = writeOmarFolder(join(tempDir(), 'expert', 'seed_0_data'), 25, TAG_OBS, TAG_ACT);
    await expect(importOmarDataset({ from: omar, env: 'simple_tag', dataDir: tempDir() }))
      .rejects.toThrow(/describe task simple_tag\[prey=omar\], not simple_tag\[prey=scripted\]/);
  });

  it('rejects OMAR files whose widths do not fit the environment, naming the file and both shapes', async () => {
    const omar = writeOmarFolder(join(tempDir(), 'expert', 'seed_0_data'), 25, [18, 16, 18], [2, 2, 2]);
    const run = importOmarDataset({ from: omar, env: 'simple_spread', dataDir: tempDir() });
    await expect(run).rejects.toThrow(DataShapeError);
    await expect(importOmarDataset({ from: omar, env: 'simple_spread', dataDir: tempDir() }))
      .rejects.toThrow(/obs_1\.npy: has shape \(25, 16\) but simple_spread\[n=3\] expects \(25, 18\)/);
    await expect(importOmarDataset({ from: omar, env: 'simple_spread', envOptions: { numAgents: 4 }, dataDir: tempDir() }))
      .rejects.toThrow(/describe task simple_spread\[n=3\], not simple_spread\[n=4\]/);
  });
});

describe('card-less OMAR folders', () => {
  it('load float64 files with the prey\'s, checked against the environment, with literature references', () => {
    const folder = writeOmarFolder(join(tempDir(), 'simple_tag', 'random', 'seed_1_data'), 30, TAG_OBS, TAG_ACT);
    const data = loadDataset(folder, OMAR_TAG_SPEC);
    expect([data.env, data.level, data.size]).toEqual(['simple_tag', 'random', 30]);
    expect(data.agents.map((a) => [a.obs.length / 30, a.acts.length / 30, a.rews.length, a.dones.length])).toEqual(
      TAG_OBS.map((d) => [d, 2, 30, 30]),
    );
    expect(data.agents[3].obs[14 * 29]).toBe(3290.125);
    expect(data.reference).toEqual({ random: -4.1, expert: 185.6, source: expect.stringMatching(/^literature: .*OMAR's pretrained prey/) });
    // prey obs are 14 wide; a spec asking 16 names the prey's file
    expect(() => loadDataset(folder, { ...OMAR_TAG_SPEC, obsDims: [16, 16, 16, 16] })).toThrow(/obs_3\.npy: has shape \(30, 14\) but simple_tag\[prey=omar\] expects \(30, 16\)/);
  });

  it('load with literature references, the environment taken from the folder name', () => {
    const folder = writeOmarFolder(join(tempDir(), 'simple_spread', 'medium', 'seed_3_data'), 25, SPREAD_OBS, [2, 2, 2]);
    const data = loadDataset(folder);
    expect([data.env, data.level, data.size]).toEqual(['simple_spread', 'medium', 25]);
    expect(data.reference).toEqual({ random: 159.8, expert: 516.8, source: expect.stringMatching(/^literature: /) });
    expect(data.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('report a mismatched row count naming both files and shapes', () => {
    const folder = writeOmarFolder(join(tempDir(), 'seed_0_data'), 25, [4, 4], [2, 2]);
    writeFileSync(join(folder, 'rews_1.npy'), float64Npy(new Array(24).fill(0), [24]));
    expect(() => loadDataset(folder, specOf([4, 4], [2, 2]))).toThrow(/rews_1\.npy: has shape \(24,\) but obs_0\.npy has \(25, 4\): row counts differ/);
  });

  it('report a truncated file, a flipped byte and a missing file in verify, each naming its file', async () => {
    const omar = writeOmarFolder(join(tempDir(), 'expert', 'seed_0_data'), 25, SPREAD_OBS, [2, 2, 2]);
    const [{ folder }] = await importOmarDataset({ from: omar, env: 'simple_spread', dataDir: tempDir() });
    expect(verifyDataset(folder)).toEqual({ problems: [], warnings: [] });
    const flip = join(folder, 'next_obs_2.npy');
    const bytes = readFileSync(flip);
    bytes[200] ^= 0x10;
    writeFileSync(flip, bytes);
    const { problems } = verifyDataset(folder);
    expect(problems.map((p) => [p.kind, p.file])).toEqual([['checksum', 'next_obs_2.npy']]);
    expect(problems[0].error.message).toContain(flip);

    const truncated = join(omar, 'acs_1.npy');
    writeFileSync(truncated, readFileSync(truncated).subarray(0, -8));
    const cardless = verifyDataset(omar, specOf(SPREAD_OBS, [2, 2, 2])).problems;
    expect(cardless.map((p) => [p.kind, p.file])).toEqual([['shape', 'acs_1.npy']]);
    expect(cardless[0].error.message).toMatch(/acs_1\.npy.*expected 400 bytes, found 392/);
  });
});
