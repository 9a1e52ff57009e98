/** simple_spread (spec §1.2): reward terms, observation layout, reset order and batching. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import { simpleSpread, spreadScenario } from '../../envs/mpe/simple-spread.ts';
import { World } from '../../envs/mpe/world.ts';
import type { MpeEnvironment } from '../../envs/mpe/environment.ts';

const scenario = spreadScenario({ numAgents: 3 });

/** A one-copy world of the 3-agent scenario with agents then landmarks at `positions`. */
function placed(positions: [number, number][]): World {
  const world = new World(scenario.agents, scenario.landmarks, 1);
  world.pos.set(positions.flat());
  return world;
}

describe('simple_spread reward', () => {
  it('coverage sums min(1/nearest, 10) over landmarks; touching agents lose 5 each', () => {
    // A0 (0,0), A1 (0.2,0) touch (0.2 < 0.3); A2 (3,4) alone.
    // L0 (0,0.5): nearest A0 at 0.5 → 2; L1 (0.2,−0.25): A1 at 0.25 → 4; L2 (3,4.05): A2 at 0.05 → 20 → capped 10.
    const world = placed([[0, 0], [0.2, 0], [3, 4], [0, 0.5], [0.2, -0.25], [3, 4.05]]);
    const rewards = new Float64Array(3);
    scenario.rewards(world, 0, rewards);
    expect(rewards[0]).toBeCloseTo(16 - 5, 12);
    expect(rewards[1]).toBeCloseTo(16 - 5, 12);
    expect(rewards[2]).toBeCloseTo(16, 12);
    expect(scenario.evalReward(rewards)).toBeCloseTo(38 / 3, 12);
  });

  it('agents exactly 0.3 apart do not collide (strict), and a landmark under an agent counts 10', () => {
    const world = placed([[0, 0], [0.3, 0], [0, 1], [0, 0], [0.3, 0], [0, 1]]);
    const rewards = new Float64Array(3);
    scenario.rewards(world, 0, rewards);
    expect([...rewards]).toEqual([30, 30, 30]);
  });
});

describe('simple_spread observation', () => {
  it('is 18-dimensional for N = 3 and follows the documented offsets', async () => {
    const env = (await simpleSpread.create({ numAgents: 3 }, 1)) as MpeEnvironment;
    env.setState([
      {
        agents: [{ p: [0.1, 0.2], v: [0.01, 0.02] }, { p: [-0.5, 0.4], v: [0.3, -0.1] }, { p: [0.7, -0.6], v: [0, 0] }],
        landmarks: [{ p: [0, 0] }, { p: [1, 1] }, { p: [-1, 0.5] }],
      },
    ]);
    expect(env.spec.obsDims).toEqual([18, 18, 18]);
    const obs = env.observe()[1];
    const expected = [
      0.3, -0.1, // own v
      -0.5, 0.4, // own p
      0.5, -0.4, 1.5, 0.6, -0.5, 0.1, // landmarks − own p
      0.6, -0.2, 1.2, -1.0, // agents 0 and 2 − own p
      0, 0, 0, 0, // silent comm
    ];
    expect(obs.length).toBe(18);
    expected.forEach((value, k) => expect(obs[k]).toBeCloseTo(value, 6));
  });

  it('has dimension 4 + 2N + 4(N − 1) for other N', () => {
    expect(spreadScenario({ numAgents: 4 }).obsDims).toEqual([24, 24, 24, 24]);
    expect(spreadScenario({ numAgents: 6 }).obsDims[0]).toBe(36);
  });
});

describe('simple_spread reset', () => {
  it('draws agents then landmarks, x then y, from U(−1, 1) of the copy seed', async () => {
    const env = (await simpleSpread.create({ numAgents: 3 }, 1)) as MpeEnvironment;
    env.reset([42]);
    const rng = createRng(42);
    const draws = Array.from({ length: 12 }, () => rng.range(-1, 1));
    const state = env.getState()[0];
    expect(state.agents.flatMap((a) => a.p)).toEqual(draws.slice(0, 6));
    expect(state.landmarks.flatMap((l) => l.p)).toEqual(draws.slice(6));
    expect(state.agents.flatMap((a) => a.v)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('uses bound 2 from six agents on, and names a non-default bound in the task id', async () => {
    const env = (await simpleSpread.create({ numAgents: 6 }, 1)) as MpeEnvironment;
    env.reset([3]);
    const rng = createRng(3);
    expect(env.getState()[0].agents[0].p).toEqual([rng.range(-2, 2), rng.range(-2, 2)]);
    expect(env.spec.taskId).toBe('simple_spread[n=6]');
    expect(spreadScenario({ numAgents: 3, bound: 2 }).taskId).toBe('simple_spread[n=3,b=2]');
  });
});

describe('simple_spread batching and determinism', () => {
  /** 25 steps with actions from each copy's own stream; per copy, every observation and reward, flattened. */
  async function rollout(seeds: number[]): Promise<number[][]> {
    const env = await simpleSpread.create({ numAgents: 3 }, seeds.length);
    const first = env.reset(seeds);
    const actionRngs = seeds.map((seed) => createRng(seed).fork('actions'));
    const perCopy = seeds.map((_, b) => first.flatMap((o) => [...o.subarray(18 * b, 18 * b + 18)]));
    for (let t = 0; t < 25; t++) {
      const actions = [0, 1, 2].map(() => new Float32Array(seeds.length * 2));
      actionRngs.forEach((rng, b) => actions.forEach((a) => a.set([rng.range(-1, 1), rng.range(-1, 1)], 2 * b)));
      const result = env.step(actions);
      perCopy.forEach((values, b) => {
        values.push(...result.obs.flatMap((o) => [...o.subarray(18 * b, 18 * b + 18)]));
        values.push(...result.rewards.map((r) => r[b]), result.evalReward[b]);
      });
    }
    return perCopy;
  }

  it('the same seeds give the same episode, different seeds a different one', async () => {
    const [a, b] = await rollout([5, 6]);
    expect((await rollout([5, 6]))[0]).toEqual(a);
    expect(a).not.toEqual(b);
    expect(a.every(Number.isFinite)).toBe(true);
  });

  it('B copies equal B single-copy runs', async () => {
    const seeds = [11, 12, 13];
    const batched = await rollout(seeds);
    for (const [b, seed] of seeds.entries()) expect(batched[b]).toEqual((await rollout([seed]))[0]);
  });
});
