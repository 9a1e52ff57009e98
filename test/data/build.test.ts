/**
 * Dataset builder (spec §3.1): the medium rule and the medium-expert composition on constructed inputs, then smoke builds
 * of every MPE task checked against the written files (episode returns recomputed from the reward columns, whole-episode
 * medium-expert, dones 0, references), and reuse of the behaviour cache by a second call.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { registerDatasetsBuild } from '../../harness/commands/datasets-build.ts';
import { ensureDatasets } from '../../harness/data/build.ts';
import { behaviourFolder } from '../../harness/data/build-cache.ts';
import { composeMediumExpert, mediumThreshold, pickExpertCheckpoint, pickMediumCheckpoint, stopAfter } from '../../harness/data/build-levels.ts';
import type { Episodes } from '../../harness/data/build-store.ts';
import { buildPreset } from '../../harness/data/build-presets.ts';
import { trainBehaviour } from '../../harness/data/build-train.ts';
import { CARD_SCHEMA, readCard, type DatasetCard } from '../../harness/data/card.ts';
import { createRng } from '../../contracts/rng.ts';
import { resolveEnvOptions } from '../../harness/resolve.ts';
import { validateOrThrow } from '../../harness/schema.ts';
import { datasetFolder } from '../../harness/data/layout.ts';
import { readNpy } from '../../harness/data/npy.ts';
import { useBackend } from '../helpers/backend.ts';
import { useTempDirs } from './fixtures.ts';

const tempDir = useTempDirs();

/** Feeds hand-made evaluation means (one per `every` updates, from update 0) to the stopping rule, as training does. */
function trainOn(returns: number[], every: number, target: number | undefined, cap: number) {
  const seen: number[] = [];
  for (const [k, returnMean] of returns.entries()) {
    seen.push(returnMean);
    const stop = stopAfter({ update: Math.min(k * every, cap), returnMean }, target, cap);
    if (stop) return { stop, seen, expert: pickExpertCheckpoint(seen) };
  }
  throw new Error('the sequence ended before training stopped');
}

describe('when the behaviour training stops and which checkpoint is expert (spec §3.1)', () => {
  it('stops at the first trained checkpoint that reaches the target, and that one is the expert', () => {
    const run = trainOn([160, 300, 520, 533, 560, 400], 250, 531, 10_000);
    expect(run).toEqual({ stop: 'target', seen: [160, 300, 520, 533], expert: 3 });
    expect(trainOn([160, 531], 250, 531, 10_000).stop).toBe('target'); // reaching is ≥
  });

  it('without reaching the target, runs to the cap and takes the best checkpoint, not the last', () => {
    expect(trainOn([160, 480, 512, 470, 440], 250, 531, 1_000)).toEqual({ stop: 'cap', seen: [160, 480, 512, 470, 440], expert: 2 });
    expect(trainOn([-280, 900, 2700, 1400], 1_000, undefined, 3_000)).toEqual({ stop: 'cap', seen: [-280, 900, 2700, 1400], expert: 2 });
  });

  it('the target counts before the cap when both hold at the last checkpoint', () => {
    expect(trainOn([160, 400, 540], 250, 531, 500).stop).toBe('target');
  });

  it('the initial policy neither stops training nor is ever the expert', () => {
    expect(stopAfter({ update: 0, returnMean: 600 }, 531, 10_000)).toBeUndefined();
    expect(pickExpertCheckpoint([600, 200, 250])).toBe(2);
  });

  it('of equal best returns the earliest is the expert', () => {
    expect(pickExpertCheckpoint([0, 5, 9, 7, 9, 9])).toBe(2);
    expect(pickExpertCheckpoint([0, 3, 3])).toBe(1);
  });

  it('refuses a curve without a trained checkpoint', () => {
    expect(() => pickExpertCheckpoint([5])).toThrow(/at least one later checkpoint/);
  });
});

describe('medium checkpoint rule (spec §3.1)', () => {
  it.each([
    { returns: [10, 12, 20, 34, 30, 50], expert: 5, index: 3, why: 'aim 30: 34 first reaches it and is nearer than 20' },
    { returns: [10, 12, 28, 40, 30, 50], expert: 5, index: 2, why: 'aim 30: 40 first reaches it, 28 before it is nearer' },
    { returns: [10, 12, 25, 35, 30, 50], expert: 5, index: 2, why: 'aim 30: 25 and 35 equally near, the earlier' },
    { returns: [0, 5, 10, 8, 10], expert: 2, index: 1, why: 'aim 5: equality counts' },
    { returns: [10, 40, 90, 60], expert: 2, index: 1, why: 'aim 50 from the best (90), not the last (60, aim 35): 40 is nearest where 90 first reaches it' },
    { returns: [100, 20, 180, 110, 300], expert: 4, index: 3, why: 'aim 200: 300 first reaches it, 110 just before is nearer (an earlier 180 is not where it was reached)' },
    { returns: [10, 9, 10], expert: 2, index: 2, why: 'aim 10: the initial policy is never medium' },
    { returns: [10, 5, 2], expert: 1, index: 1, why: 'training made it worse: none reaches the aim, the expert is used' },
  ])('$returns with expert $expert → $index ($why)', ({ returns, expert, index }) => {
    expect(pickMediumCheckpoint(returns, expert)).toBe(index);
  });

  it('aims half-way from the initial to the expert checkpoint, whatever the sign of the returns', () => {
    expect(mediumThreshold([-280, 900, 2700, 1400], 2)).toBe(1210);
    expect(mediumThreshold([-9.7, -5, 0.7], 2)).toBeCloseTo(-4.5, 10);
    expect(() => pickMediumCheckpoint([1, 2], 0)).toThrow(/not one of 1\.\.1/);
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
    // The expert is the best trained checkpoint (the earliest of equals); training ran to the 80-update cap, since 80
    // updates are far from spread's target (OMAR's 531) and tag/world with the scripted prey have no target.
    const curve = cards.random.generator.checkpoints as { update: number; returnMean: number; returnSd: number }[];
    const best = curve.slice(1).reduce((b, c, k) => (c.returnMean > curve[b].returnMean ? k + 1 : b), 1);
    expect(cards.expert.generator.expert).toEqual({
      target: env === 'simple_spread' ? 531 : null,
      targetSource: env === 'simple_spread' ? expect.stringContaining("OMAR's simple_spread expert dataset") : expect.stringMatching(/^none/),
      stop: 'cap',
      updates: 80,
      cap: 80,
      evalEpisodes: 20,
      checkpoint: { index: best, update: curve[best].update, returnMean: curve[best].returnMean, returnSd: curve[best].returnSd },
    });
    const medium = cards.medium.generator.mediumCheckpoint as { index: number; replayEpisodes: number; threshold: number };
    expect(medium.threshold).toBeCloseTo(curve[0].returnMean + (curve[best].returnMean - curve[0].returnMean) / 2, 10);
    expect(medium.index).toBeLessThanOrEqual(best);
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
        return { level, files: card.files.map((f) => [f.path, f.sha256]), checkpoints: card.generator.checkpoints, expert: card.generator.expert };
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
    // A level from the builder that took the last checkpoint as expert (its card has no expert record) is not mixed in.
    const cardPath = join(datasetFolder(dataDir, first.taskId, 'expert', 1), 'card.json');
    const card = JSON.parse(readFileSync(cardPath, 'utf8')) as DatasetCard;
    delete card.generator.expert;
    writeFileSync(cardPath, JSON.stringify(card));
    await expect(ensureDatasets({ ...base, levels: ['medium-expert'] })).rejects.toThrow(/seed_1_data was built by an older builder whose expert is the last checkpoint/);
  });
});

describe('the behaviour training loop', () => {
  beforeAll(() => useBackend('wasm'));

  it('stops at the first trained checkpoint that reaches the target', async () => {
    const { def, options } = resolveEnvOptions('simple_spread', {});
    const preset = buildPreset('simple_spread', 'smoke');
    const [env, evalEnv] = [await def.create(options, preset.budget.envCopies), await def.create(options, preset.budget.evalEpisodes)];
    const quiet = { checkpoint: () => undefined, update: () => undefined };
    try {
      // Any return reaches −∞: training ends at the first checkpoint after the initial one, at an episode end ≥ evalEvery updates.
      const early = await trainBehaviour(env, evalEnv, preset.matd3, preset.budget, -Infinity, createRng(3), quiet);
      expect(early.stop).toBe('target');
      expect(early.checkpoints.map((c) => c.update)).toEqual([0, early.checkpoints[1].update]);
      expect(early.checkpoints[1].update).toBeGreaterThanOrEqual(preset.budget.evalEvery);
      expect(early.checkpoints[1].update).toBeLessThan(preset.budget.updates);
      // An unreachable target: the cap ends it.
      const capped = await trainBehaviour(env, evalEnv, preset.matd3, preset.budget, Infinity, createRng(3), quiet);
      expect(capped.stop).toBe('cap');
      expect(capped.checkpoints.at(-1)!.update).toBe(preset.budget.updates);
      // Same seed, same path: the early run's checkpoints are the first of the capped run's.
      expect(capped.checkpoints.slice(0, 2).map(({ actors: _a, ...c }) => c)).toEqual(early.checkpoints.map(({ actors: _a, ...c }) => c));
    } finally {
      env.dispose();
      evalEnv.dispose();
    }
  });
});

describe('dataset card schema: the expert record', () => {
  const card = (expert: unknown) => ({
    env: 'simple_spread', envOptions: {}, taskId: 'simple_spread[n=3]', level: 'expert',
    generator: { generator: 'matd3', expert }, transitions: 25, episodes: 1, episodeLength: 25,
    episodeReturn: { mean: 1, sd: 0, min: 1, max: 1 }, reference: { random: 0, expert: 1, source: 'built' },
    donesFraction: 0, dtype: {}, files: ['obs', 'acs', 'rews', 'next_obs', 'dones'].map((k) => ({ path: `${k}_0.npy`, sha256: '0'.repeat(64), bytes: 0, shape: [25] })),
    harnessVersion: '1', createdAt: '2026-01-01T00:00:00Z', origin: 'built',
  });
  const expert = {
    target: 531, targetSource: 'OMAR', stop: 'target', updates: 6_250, cap: 10_000, evalEpisodes: 500,
    checkpoint: { index: 25, update: 6_250, returnMean: 533.2, returnSd: 84.1 },
  };

  it('accepts a target or none', () => {
    expect(() => validateOrThrow(CARD_SCHEMA, card(expert), 'card.json')).not.toThrow();
    expect(() => validateOrThrow(CARD_SCHEMA, card({ ...expert, target: null, stop: 'cap' }), 'card.json')).not.toThrow();
  });

  it.each([
    { bad: { ...expert, stop: 'done' }, field: /generator\/expert\/stop/ },
    { bad: { ...expert, checkpoint: { ...expert.checkpoint, index: 0 } }, field: /generator\/expert\/checkpoint\/index/ },
    { bad: (({ cap: _c, ...rest }) => rest)(expert), field: /generator\/expert.*cap/ },
  ])('names the bad field: $field', ({ bad, field }) => {
    expect(() => validateOrThrow(CARD_SCHEMA, card(bad), 'card.json')).toThrow(field);
  });
});
