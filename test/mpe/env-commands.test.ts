/** The functions behind `env replay` and `env rollout`, on a hand-made episode and on option validation. */
import { describe, expect, it } from 'vitest';
import { rolloutRequest } from '../../harness/commands/env.ts';
import { createEnvironment, replayEpisode, rollout, type EpisodeFile } from '../../harness/run/episodes.ts';

const randomRollout = (env: string, episodes: number, seed: number) => rollout(rolloutRequest({ policy: 'random', env, episodes, seed }));

describe('env replay', () => {
  // Two spread agents 1 apart (no contact force to speak of), landmarks above A0 and below A1.
  const input: EpisodeFile = {
    env: 'simple_spread',
    options: { numAgents: 2 },
    state: { agents: [{ p: [0, 0], v: [0, 0] }, { p: [1, 0], v: [0.2, 0] }], landmarks: [{ p: [0, 0.5] }, { p: [1, -0.5] }] },
    actions: [
      [[1, 0], [0, -1]],
      [[0, 0], [0, 0]],
    ],
  };

  it('matches a hand computation step by step', async () => {
    const steps = await replayEpisode(input);
    expect(steps).toHaveLength(2);
    // step 1: A0 v = 5·1·0.1 = 0.5 → p = 0.05; A1 v = (0.2·0.75, −0.5) = (0.15, −0.5) → p = (1.015, −0.05)
    const s1 = steps[0].state as { agents: { p: number[]; v: number[] }[] };
    [0.05, 0].forEach((x, k) => expect(s1.agents[0].p[k]).toBeCloseTo(x, 10));
    [0.5, 0].forEach((x, k) => expect(s1.agents[0].v[k]).toBeCloseTo(x, 10));
    [1.015, -0.05].forEach((x, k) => expect(s1.agents[1].p[k]).toBeCloseTo(x, 10));
    [0.15, -0.5].forEach((x, k) => expect(s1.agents[1].v[k]).toBeCloseTo(x, 10));
    // reward: 1/|(0,0.5)−(0.05,0)| + 1/|(1,−0.5)−(1.015,−0.05)|, shared, no collision
    const r1 = 1 / Math.hypot(0.05, 0.5) + 1 / Math.hypot(0.015, 0.45);
    steps[0].rewards.forEach((r) => expect(r).toBeCloseTo(r1, 5));
    // the evaluation reward of spread is the mean over agents (spec §1.2): here both get r1
    expect(steps[0].evalReward).toBeCloseTo(r1, 5);
    // A0's observation: v, p, landmarks − p, A1 − p, silent comm
    [0.5, 0, 0.05, 0, -0.05, 0.5, 0.95, -0.5, 0.965, -0.05, 0, 0].forEach((x, k) => expect(steps[0].obs[0][k]).toBeCloseTo(x, 6));
    // step 2, no action: A0 v = 0.375 → p = 0.0875; A1 v = (0.1125, −0.375) → p = (1.02625, −0.0875)
    const s2 = steps[1].state as { agents: { p: number[]; v: number[] }[]; landmarks: { p: number[] }[] };
    [0.0875, 0].forEach((x, k) => expect(s2.agents[0].p[k]).toBeCloseTo(x, 10));
    [1.02625, -0.0875].forEach((x, k) => expect(s2.agents[1].p[k]).toBeCloseTo(x, 10));
    [0.1125, -0.375].forEach((x, k) => expect(s2.agents[1].v[k]).toBeCloseTo(x, 10));
    expect(s2.landmarks).toEqual([{ p: [0, 0.5] }, { p: [1, -0.5] }]);
    const r2 = 1 / Math.hypot(0.0875, 0.5) + 1 / Math.hypot(0.02625, 0.4125);
    steps[1].rewards.forEach((r) => expect(r).toBeCloseTo(r2, 5));
  });

  it('replays tag with the prey’s action taken from the file', async () => {
    const agents = [[-0.5, 0], [0, 0.5], [0.5, 0], [0, 0]].map((p) => ({ p, v: [0, 0] }));
    const steps = await replayEpisode({
      env: 'simple_tag',
      state: { agents, landmarks: [{ p: [5, 5] }, { p: [-5, 5] }] },
      actions: [[[0, 0], [0, 0], [0, 0], [0, -1]]],
    });
    // prey: v = 16·(−1)·0.1 = −1.6 → clamped to max speed 1.3 → p_y = −0.13
    const prey = (steps[0].state as { agents: { p: number[]; v: number[] }[] }).agents[3];
    expect(prey.v[1]).toBeCloseTo(-1.3, 10);
    expect(prey.p[1]).toBeCloseTo(-0.13, 10);
    expect(steps[0].obs.map((o) => o.length)).toEqual([16, 16, 16, 14]);
  });

  it('rejects an action list that misses an agent', async () => {
    await expect(replayEpisode({ ...input, actions: [[[0, 0]]] })).rejects.toThrow(/actions\[0\] has 1 agents/);
  });

  it('rejects an input with an unknown key, naming it', async () => {
    await expect(replayEpisode({ ...input, extra: 1 } as EpisodeFile)).rejects.toThrow(/extra: unknown key/);
  });
});

describe('env options', () => {
  it('a misspelt option names the field', async () => {
    await expect(createEnvironment('simple_spread', { numAgent: 3 }, 1)).rejects.toThrow(/numAgent: unknown key/);
  });

  it('a prey option on spread is refused; a bad head on tag is refused', async () => {
    await expect(createEnvironment('simple_spread', { prey: 'scripted' }, 1)).rejects.toThrow(/prey/);
    await expect(createEnvironment('simple_tag', { preyHead: 'relu' }, 1)).rejects.toThrow(/preyHead/);
  });
});

describe('env rollout (random policy)', () => {
  it('returns one episode return per episode with their mean and sd, reproducibly', async () => {
    const a = await randomRollout('simple_spread', 8, 3);
    const b = await randomRollout('simple_spread', 8, 3);
    expect(a.returns).toHaveLength(8);
    expect(a).toEqual(b);
    const mean = a.returns.reduce((x, y) => x + y, 0) / 8;
    expect(a.mean).toBeCloseTo(mean, 9);
    expect(a.sd).toBeCloseTo(Math.sqrt(a.returns.reduce((x, y) => x + (y - mean) ** 2, 0) / 7), 9);
    expect(a.taskId).toBe('simple_spread[n=3]');
    expect((await randomRollout('simple_spread', 8, 4)).returns).not.toEqual(a.returns);
  });

  it('refuses --noise-free: the random policy is all noise', () => {
    expect(() => rolloutRequest({ policy: 'random', env: 'simple_spread', episodes: 2, seed: 0, noiseFree: true })).toThrow(/--noise-free/);
  });
});
