/**
 * Dataset builder (spec §3.1): the medium rule and the medium-expert composition on constructed inputs, then smoke builds
 * of every MPE task checked against the written files (episode returns recomputed from the reward columns, whole-episode
 * medium-expert, dones 0, references), and reuse of the behaviour cache by a second call.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { registerDatasetsBuild } from '../../harness/commands/datasets-build.ts';
import { ensureDatasets } from '../../harness/data/build.ts';
import { behaviourFolder } from '../../harness/data/build-cache.ts';
import { composeMediumExpert, pickMediumCheckpoint } from '../../harness/data/build-levels.ts';
import type { Episodes } from '../../harness/data/build-store.ts';
import { readCard, type DatasetCard } from '../../harness/data/card.ts';
import { datasetFolder } from '../../harness/data/layout.ts';
import { readNpy } from '../../harness/data/npy.ts';
import { useBackend } from '../helpers/backend.ts';
import { useTempDirs } from './fixtures.ts';

const tempDir = useTempDirs();

describe('medium checkpoint rule (spec §3.1)', () => {
  it.each([
    { returns: [10, 12, 20, 35, 30, 50], index: 3, why: 'threshold 30: 35 is the first at or above it' },
    { returns: [0, 5, 10, 8, 10], index: 1, why: 'threshold 5: equality counts' },
    { returns: [10, 9, 10], index: 2, why: 'threshold 10: the initial policy is never medium' },
    { returns: [10, 5, 2], index: 2, why: 'training made it worse: none qualifies, the final one is used' },
  ])('$returns → $index ($why)', ({ returns, index }) => {
    expect(pickMediumCheckpoint(returns)).toBe(index);
  });
});

/** `count` episodes of 2 steps, one agent; obs value = 100·tag + episode, return = tag·1000 + episode. */
function episodes(count: number, tag: number): Episodes {
  const rows = 2 * count;
  const value = (row: number) => 100 * tag + Math.floor(row / 2);
  const column = () => Float32Array.from({ length: rows }, (_, r) => value(r));
  return {
    agents: [{ obs: column(), acts: column(), rews: column(), nextObs: column(), dones: new Float32Array(rows) }],
    episodeReturns: Array.from({ length: count }, (_, e) => tag * 1000 + e),
  };
}

describe('medium-expert composition (spec §3.1)', () => {
  it('takes the first 90 % of medium and the first 10 % of expert, rounded down to whole episodes', () => {
    const out = composeMediumExpert(episodes(10, 1), episodes(10, 2), 'om2p');
    expect(out.episodeReturns).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 2000]);
    expect(Array.from(out.agents[0].obs)).toEqual([100, 100, 101, 101, 102, 102, 103, 103, 104, 104, 105, 105, 106, 106, 107, 107, 108, 108, 200, 200]);
    const small = composeMediumExpert(episodes(7, 1), episodes(7, 2), 'om2p');
    expect(small.episodeReturns).toEqual([1000, 1001, 1002, 1003, 1004, 1005]); // ⌊6.3⌋ = 6 medium, ⌊0.7⌋ = 0 expert
  });

  it('concatenates both whole with the D4RL construction', () => {
    const out = composeMediumExpert(episodes(3, 1), episodes(2, 2), 'concat');
    expect(out.episodeReturns).toEqual([1000, 1001, 1002, 2000, 2001]);
    expect(out.agents[0].rews.length).toBe(10);
  });
});

/** Evaluation return of each 25-step episode from the reward files (spec §1.2: spread = mean over agents; §1.3–1.4: first predator). */
function episodeReturnsFromFiles(folder: string, env: string, agents: number): number[] {
  const rews = Array.from({ length: agents }, (_, i) => readNpy(join(folder, `rews_${i}.npy`)).data);
  const counted = env === 'simple_spread' ? rews : [rews[0]];
  const out: number[] = [];
  for (let start = 0; start < rews[0].length; start += 25) {
    let total = 0;
    for (let t = start; t < start + 25; t++) total += counted.reduce((s, r) => s + r[t], 0) / counted.length;
    out.push(total);
  }
  return out;
}

function meanOf(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Runs `om2p-bench <args>` with only the `datasets build` command registered; returns what it printed. */
async function runCli(args: string[]): Promise<string> {
  const printed: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  const program = new Command('om2p-bench').option('--data-dir <dir>').option('--backend <name>').option('--plugin <path...>').exitOverride();
  registerDatasetsBuild(program.command('datasets'));
  try {
    await program.parseAsync(['node', 'om2p-bench', ...args]);
  } finally {
    spy.mockRestore();
  }
  return printed.join('');
}

const ALL_LEVELS = ['random', 'medium-replay', 'medium', 'medium-expert', 'expert'];

describe('smoke builds', () => {
  beforeAll(() => useBackend('wasm'));

  it.each([
    { env: 'simple_spread', agents: 3 },
    { env: 'simple_tag', agents: 4 },
    { env: 'simple_world', agents: 4 },
  ])('$env: every level written, carded and consistent with its files', async ({ env, agents }) => {
    const dataDir = tempDir();
    const lines: string[] = [];
    const report = await ensureDatasets({ env, envOptions: {}, levels: ALL_LEVELS, preset: 'smoke', seed: 0, dataDir, log: (line) => lines.push(line) });
    expect(report.trained).toBe(true);
    expect([...report.built].sort()).toEqual([...ALL_LEVELS].sort());
    const folder = (level: string) => datasetFolder(dataDir, report.taskId, level, 0);
    const cards = Object.fromEntries(ALL_LEVELS.map((level) => [level, readCard(folder(level))!])) as Record<string, DatasetCard>;
    for (const level of ALL_LEVELS) {
      const card = cards[level];
      expect(card.level).toBe(level);
      expect(card.donesFraction).toBe(0);
      expect(card.files.filter((f) => f.path.startsWith('obs_')).length).toBe(agents); // the prey is stored too
      expect(card.transitions).toBe(card.episodes * 25);
      expect(card.reference.random).toBeCloseTo(cards.random.episodeReturn.mean, 4);
      expect(card.reference.expert).toBeCloseTo(cards.expert.episodeReturn.mean, 4);
      // Episode-contiguous 25-step chunks: the card's return is the mean of the per-chunk evaluation returns.
      expect(meanOf(episodeReturnsFromFiles(folder(level), env, agents))).toBeCloseTo(card.episodeReturn.mean, 2);
    }
    for (const level of ['random', 'medium', 'expert']) expect(cards[level].transitions).toBe(1000);
    // Without a progress bar, one line per checkpoint of the behaviour training, in order: the initial policy, some in
    // between (at episode ends, ≥ 25 updates apart) and the final one after the smoke budget's 80 updates.
    const checkpoints = (cards.random.generator.checkpoints as { update: number }[]).map((c) => c.update);
    expect(checkpoints[0]).toBe(0);
    expect(checkpoints.at(-1)).toBe(80);
    expect(checkpoints.length).toBeGreaterThan(2);
    expect(lines.flatMap((line) => /^ {2}update (\d+)\/80: return /.exec(line)?.[1] ?? []).map(Number)).toEqual(checkpoints);
    const medium = cards.medium.generator.mediumCheckpoint as { replayEpisodes: number };
    expect(cards['medium-replay'].episodes).toBe(medium.replayEpisodes);
    expect(cards['medium-expert'].episodes).toBe(36 + 4);
    const obs = (level: string) => readNpy(join(folder(level), 'obs_0.npy')).data;
    const dim = obs('medium').length / 1000;
    expect(Array.from(obs('medium-expert').subarray(0, 900 * dim))).toEqual(Array.from(obs('medium').subarray(0, 900 * dim)));
    expect(Array.from(obs('medium-expert').subarray(900 * dim))).toEqual(Array.from(obs('expert').subarray(0, 100 * dim)));
  });

  it('halfcheetah-2x3: the random level acts uniformly (TD3 warm-up behaviour, OMAR\'s ≈ −283 random return)', async () => {
    const dataDir = tempDir();
    const report = await ensureDatasets({ env: 'halfcheetah-2x3', envOptions: {}, levels: ['random'], preset: 'smoke', seed: 0, dataDir, log: () => {} });
    const folder = datasetFolder(dataDir, report.taskId, 'random', 0);
    for (const agent of [0, 1]) {
      const acts = readNpy(join(folder, `acs_${agent}.npy`)).data;
      const values = Array.from(acts);
      // U(−1, 1): mean 0, variance 1/3; 6000 draws put both within a few standard errors (0.0075 and 0.0037).
      expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...values)).toBeLessThanOrEqual(1);
      expect(meanOf(values)).toBeCloseTo(0, 1);
      expect(meanOf(values.map((v) => v * v))).toBeCloseTo(1 / 3, 1);
    }
    // The control cost alone is 0.1 · 6 · 1/3 = 0.2 per step, −200 per 1000-step episode; the near-zero initial actor scores about −9.
    expect(readCard(folder)!.episodeReturn.mean).toBeLessThan(-100);
  });

  it('the behaviour training on 1, 2 and 3 threads writes byte-identical datasets and checkpoints', async () => {
    const build = async (threads: number) => {
      const dataDir = tempDir();
      const report = await ensureDatasets({ env: 'simple_spread', envOptions: {}, levels: ALL_LEVELS, preset: 'smoke', seed: 2, dataDir, log: () => {}, threads });
      return ALL_LEVELS.map((level) => {
        const card = readCard(datasetFolder(dataDir, report.taskId, level, 2))!;
        return { level, files: card.files.map((f) => [f.path, f.sha256]), checkpoints: card.generator.checkpoints };
      });
    };
    const one = await build(1);
    expect(one.flatMap((l) => l.files)).toHaveLength(ALL_LEVELS.length * 15);
    expect(await build(2)).toEqual(one);
    expect(await build(3)).toEqual(one);
  }, 60_000);

  it('a second call for one more level reuses the cached behaviour policies (also through the CLI)', async () => {
    const dataDir = tempDir();
    const lines: string[] = [];
    const base = { env: 'simple_spread', envOptions: {}, preset: 'smoke', seed: 1, dataDir, log: (line: string) => lines.push(line) };
    const first = await ensureDatasets({ ...base, levels: ['medium'], progress: true });
    expect(first.trained).toBe(true);
    // with a progress bar the checkpoints are on the bar, not logged; the other lines still are
    expect(lines.some((line) => line.includes('training MATD3 behaviour policies'))).toBe(true);
    expect(lines.some((line) => line.includes('medium = checkpoint at update'))).toBe(true);
    expect(lines.some((line) => /update \d+\/80: return/.test(line))).toBe(false);
    expect([...first.built].sort()).toEqual(['expert', 'medium', 'random']);
    const summary = join(behaviourFolder(dataDir, first.taskId, 'smoke', 1), 'behaviour.json');
    const mtime = statSync(summary).mtimeMs;
    const second = await ensureDatasets({ ...base, levels: ['medium', 'medium-replay'] });
    expect(second.trained).toBe(false);
    expect(second.built).toEqual(['medium-replay']);
    expect(statSync(summary).mtimeMs).toBe(mtime);
    const printed = await runCli(['--data-dir', dataDir, '--backend', 'wasm', 'datasets', 'build', '--env', 'simple_spread', '--dataset-preset', 'smoke', '--seed', '1', '--levels', 'medium-replay,expert']);
    expect(printed).toMatch(/^simple_spread\[n=3\]: .*medium-replay: -?\d+\.\d \(existing\).*trained: no/);
    await expect(ensureDatasets({ ...base, preset: 'quick', levels: ['medium'] })).rejects.toThrow(/built with preset 'smoke'/);
  });
});
