/** simple_tag and simple_world (spec §1.3–1.5): rewards on constructed states, observation layouts, reset order, prey. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import type { MpeCopyState, MpeEnvironment } from '../../envs/mpe/environment.ts';
import { boundPenalty } from '../../envs/mpe/predator-prey.ts';
import { World } from '../../envs/mpe/world.ts';
import { simpleTag, tagScenario } from '../../envs/mpe/simple-tag.ts';
import { simpleWorld, worldScenario } from '../../envs/mpe/simple-world.ts';

const SCRIPTED = { prey: 'scripted', preyHead: 'tanh' } as const;
const TAG_CHECKPOINT = new URL('../../../shared/reference/omar-prey/simple_tag.pretrained_adv_model.pt', import.meta.url).pathname;

/** The scenario and a one-copy world with agents then landmarks at `positions` (velocities as given, else 0). */
async function placed(build: typeof tagScenario, positions: [number, number][], velocities: [number, number][] = []) {
  const scenario = await build(SCRIPTED);
  const world = new World(scenario.agents, scenario.landmarks, 1);
  world.pos.set(positions.flat());
  velocities.forEach((v, e) => world.vel.set(v, 2 * e));
  const rewards = new Float64Array(4);
  scenario.rewards(world, 0, rewards);
  const obs = scenario.obsDims.map((dim, i) => {
    const out = new Float32Array(dim);
    scenario.observe(world, 0, i, out, 0);
    return [...out];
  });
  return { scenario, rewards: [...rewards], obs };
}

/** `x − s` per coordinate, rounded to float32 as the observation stores it. */
const rel = (x: number, y: number, sx: number, sy: number) => [Math.fround(x - sx), Math.fround(y - sy)];
const f32 = (values: number[]) => values.map(Math.fround);

describe('bound penalty', () => {
  it.each([
    [0.5, 0],
    [0.95, 0.5],
    [1.2, Math.exp(0.4)],
    [3, 10],
  ])('bound(%f) = %f', (x, expected) => expect(boundPenalty(x)).toBeCloseTo(expected, 12));
});

describe('simple_tag', () => {
  it('has observation sizes 16 (predators) and 14 (prey) and the scripted task id', async () => {
    const env = await simpleTag.create(SCRIPTED, 1);
    expect(env.spec.obsDims).toEqual([16, 16, 16, 14]);
    expect(env.spec.learnedAgents).toEqual([0, 1, 2]);
    expect(env.spec.taskId).toBe('simple_tag[prey=scripted]');
  });

  it('lays out a predator observation and the prey observation as documented', async () => {
    const agents: [number, number][] = [[0.1, 0], [0.5, 0.5], [-0.5, 0], [0.2, -0.3]];
    const { obs } = await placed(tagScenario, [...agents, [1, 1], [-1, 1]], [[0.1, 0.2], [0, 0], [0, 0], [0.3, -0.4]]);
    expect(obs[0]).toEqual([
      ...f32([0.1, 0.2, 0.1, 0]), ...rel(1, 1, 0.1, 0), ...rel(-1, 1, 0.1, 0),
      ...rel(0.5, 0.5, 0.1, 0), ...rel(-0.5, 0, 0.1, 0), ...rel(0.2, -0.3, 0.1, 0), ...f32([0.3, -0.4]),
    ]);
    expect(obs[3]).toEqual([
      ...f32([0.3, -0.4, 0.2, -0.3]), ...rel(1, 1, 0.2, -0.3), ...rel(-1, 1, 0.2, -0.3),
      ...rel(0.1, 0, 0.2, -0.3), ...rel(0.5, 0.5, 0.2, -0.3), ...rel(-0.5, 0, 0.2, -0.3),
    ]);
  });

  it('rewards: −0.1·Σ dist + 10 per catch to every predator; the prey gets the opposite minus its bound penalty', async () => {
    // prey (0.95, 0): bound 10·0.05 = 0.5. P0 at 0.1 (caught: < 0.125), P1 at 0.5, P2 at 1.0 → Σ dist 1.6.
    const { rewards, scenario } = await placed(tagScenario, [[0.85, 0], [0.95, 0.5], [0.95, -1], [0.95, 0], [-5, 5], [5, 5]]);
    [0, 1, 2].forEach((i) => expect(rewards[i]).toBeCloseTo(-0.16 + 10, 12));
    expect(rewards[3]).toBeCloseTo(0.16 - 10 - 0.5, 12);
    expect(scenario.evalReward(Float64Array.from(rewards))).toBeCloseTo(9.84, 12);
  });

  it('a predator exactly at contact distance 0.125 does not count as a catch (strict)', async () => {
    const { rewards } = await placed(tagScenario, [[0.125, 0], [0, 0.5], [0, -0.5], [0, 0], [-5, 5], [5, 5]]);
    expect(rewards[0]).toBeCloseTo(-0.1 * 1.125, 12);
  });

  it('draws agents from U(−1, 1)² then landmarks from U(−0.9, 0.9)²', async () => {
    const env = (await simpleTag.create(SCRIPTED, 1)) as MpeEnvironment;
    env.reset([9]);
    const rng = createRng(9);
    const agents = Array.from({ length: 8 }, () => rng.range(-1, 1));
    const landmarks = Array.from({ length: 4 }, () => rng.range(-0.9, 0.9));
    const s = env.getState()[0];
    expect(s.agents.flatMap((a) => a.p)).toEqual(agents);
    expect(s.landmarks.flatMap((l) => l.p)).toEqual(landmarks);
  });
});

function zeroActions(n: number): Float32Array[] {
  return Array.from({ length: n }, () => new Float32Array(2));
}

describe('simple_world', () => {
  // prey (0.95, 0); food 1 at 0.07 (eaten: < 0.075), food 2 at 0.5; forest 1 at (0.95, 0.3); P0 caught at 0.1.
  const positions: [number, number][] = [
    [1.05, 0], [0.95, 0.6], [0.15, 0], [0.95, 0], // predators, prey
    [-5, -5], [1.02, 0], [1.25, 0.4], [0.95, 0.3], [-5, 5], // obstacle, food × 2, forest × 2
  ];

  it('has observation sizes 24 (predators) and 22 (prey)', async () => {
    expect((await simpleWorld.create(SCRIPTED, 1)).spec.obsDims).toEqual([24, 24, 24, 22]);
  });

  it('rewards: predators −0.1·Σ dist + 5 per catch; prey adds −2·bound + 2·food eaten + 0.05·nearest food', async () => {
    const { rewards } = await placed(worldScenario, positions);
    // Σ dist = 0.1 + 0.6 + 0.8 = 1.5, one catch (< 0.12); bound(0.95) = 0.5; nearest food 0.07, one eaten
    [0, 1, 2].forEach((i) => expect(rewards[i]).toBeCloseTo(-0.15 + 5, 12));
    expect(rewards[3]).toBeCloseTo(0.15 - 5 - 2 * 0.5 + 2 * 1 + 0.05 * 0.07, 12);
  });

  it('lays out observations with landmarks, agents, prey velocity and forest flags', async () => {
    const { obs } = await placed(worldScenario, positions, [[0, 0], [0, 0], [0, 0], [0.5, -0.25]]);
    const landmarksRel = (sx: number, sy: number) => positions.slice(4).flatMap(([x, y]) => rel(x, y, sx, sy));
    // P0 (1.05, 0) is 0.316 from forest 1 (< 0.375): +1; P2 is far: −1; the prey is 0.3 away (< 0.345): +1
    expect(obs[0]).toEqual([
      ...f32([0, 0, 1.05, 0]), ...landmarksRel(1.05, 0),
      ...rel(0.95, 0.6, 1.05, 0), ...rel(0.15, 0, 1.05, 0), ...rel(0.95, 0, 1.05, 0), ...f32([0.5, -0.25]), 1, -1,
    ]);
    expect(obs[2].slice(22)).toEqual([-1, -1]);
    expect(obs[3]).toEqual([
      ...f32([0.5, -0.25, 0.95, 0]), ...landmarksRel(0.95, 0),
      ...rel(1.05, 0, 0.95, 0), ...rel(0.95, 0.6, 0.95, 0), ...rel(0.15, 0, 0.95, 0), 1, -1,
    ]);
  });

  it('draws agents, then all 5 landmarks, then food again, then forests again', async () => {
    const env = (await simpleWorld.create(SCRIPTED, 1)) as MpeEnvironment;
    env.reset([4]);
    const rng = createRng(4);
    const agents = Array.from({ length: 8 }, () => rng.range(-1, 1));
    const first = Array.from({ length: 10 }, () => rng.range(-0.9, 0.9));
    const again = Array.from({ length: 8 }, () => rng.range(-0.9, 0.9));
    const s = env.getState()[0];
    expect(s.agents.flatMap((a) => a.p)).toEqual(agents);
    expect(s.landmarks.flatMap((l) => l.p)).toEqual([...first.slice(0, 2), ...again]);
  });
});

describe('the fixed prey', () => {
  it('scripted: flees the weighted sum of −r/|r|² as a unit vector', async () => {
    // prey at the origin; predators at (0.5, 0), (0, 0.5), (0.5, 0.5): flee (−2, 0) + (0, −2) + (−1, −1) = (−3, −3)
    const env = (await simpleTag.create(SCRIPTED, 1)) as MpeEnvironment;
    env.setState([stateOf([[0.5, 0], [0, 0.5], [0.5, 0.5], [0, 0]], [[-5, 5], [5, 5]])]);
    const { actions } = env.step(zeroActions(3));
    expect(actions[3][0]).toBeCloseTo(-Math.SQRT1_2, 6);
    expect(actions[3][1]).toBeCloseTo(-Math.SQRT1_2, 6);
  });

  it('scripted: turns back from the wall past |p| = 0.6', async () => {
    // prey (0.8, 0), predators 3 below: flee (0, 1); wall x: −20·0.2 = −4 → (−4, 1)/√17
    const env = (await simpleTag.create(SCRIPTED, 1)) as MpeEnvironment;
    env.setState([stateOf([[0.8, -3], [0.8, -3], [0.8, -3], [0.8, 0]], [[-5, 5], [5, 5]])]);
    const { actions } = env.step(zeroActions(3));
    expect(actions[3][0]).toBeCloseTo(-4 / Math.sqrt(17), 6);
    expect(actions[3][1]).toBeCloseTo(1 / Math.sqrt(17), 6);
  });

  it('scripted: stays within the bound penalty region rarely under random predators', async () => {
    const env = await simpleTag.create(SCRIPTED, 64);
    env.reset(Array.from({ length: 64 }, (_, b) => b));
    const rng = createRng(1);
    let outside = 0;
    for (let t = 0; t < 25; t++) {
      const actions = [0, 1, 2].map(() => Float32Array.from({ length: 128 }, () => rng.range(-1, 1)));
      const { obs } = env.step(actions);
      for (let b = 0; b < 64; b++) if (Math.max(Math.abs(obs[3][14 * b + 2]), Math.abs(obs[3][14 * b + 3])) > 1) outside++;
    }
    expect(outside / (64 * 25)).toBeLessThan(0.02);
  });

  it('actions for all four agents override the prey', async () => {
    const env = await simpleTag.create(SCRIPTED, 1);
    env.reset([2]);
    const given = [0, 1, 2, 3].map((i) => Float32Array.from([0.1 * i, -0.1 * i]));
    const { actions } = env.step(given);
    expect(actions.map((a) => [...a])).toEqual(given.map((a) => [...a]));
  });

  it('rejects a wrong number of action arrays, naming both accepted counts', async () => {
    const env = await simpleTag.create(SCRIPTED, 1);
    env.reset([2]);
    expect(() => env.step(zeroActions(2))).toThrow(/3 \(learned\) or 4 \(all\)/);
  });

  it.skipIf(!existsSync(TAG_CHECKPOINT))("OMAR's checkpoint drives the prey and names the task prey=omar", async () => {
    const env = await simpleTag.create({ prey: TAG_CHECKPOINT, preyHead: 'tanh' }, 2);
    expect(env.spec.taskId).toBe('simple_tag[prey=omar]');
    const obs = env.reset([3, 4]);
    const { actions } = env.step([0, 1, 2].map(() => new Float32Array(4)));
    expect(actions[3].every((a) => Math.abs(a) <= 1)).toBe(true);
    expect([...actions[3]]).not.toEqual([...new Float32Array(4)]);
    expect(obs[3].length).toBe(28);
  });
});

describe('batching with a fixed prey', () => {
  async function rollout(def: typeof simpleTag, seeds: number[]): Promise<number[][]> {
    const env = await def.create(SCRIPTED, seeds.length);
    env.reset(seeds);
    const rngs = seeds.map((seed) => createRng(seed).fork('actions'));
    const perCopy: number[][] = seeds.map(() => []);
    for (let t = 0; t < 25; t++) {
      const actions = [0, 1, 2].map(() => new Float32Array(2 * seeds.length));
      rngs.forEach((rng, b) => actions.forEach((a) => a.set([rng.range(-1, 1), rng.range(-1, 1)], 2 * b)));
      const result = env.step(actions);
      perCopy.forEach((values, b) => {
        result.obs.forEach((o, i) => values.push(...o.subarray(env.spec.obsDims[i] * b, env.spec.obsDims[i] * (b + 1))));
        values.push(...result.rewards.map((r) => r[b]), result.actions[3][2 * b], result.actions[3][2 * b + 1]);
      });
    }
    return perCopy;
  }

  it.each([simpleTag, simpleWorld])('$name: B copies equal B single-copy runs and are finite', async (def) => {
    const batched = await rollout(def, [21, 22, 23]);
    for (const [b, seed] of [21, 22, 23].entries()) expect(batched[b]).toEqual((await rollout(def, [seed]))[0]);
    expect(batched.flat().every(Number.isFinite)).toBe(true);
  });
});

function stateOf(agents: [number, number][], landmarks: [number, number][]): MpeCopyState {
  return { agents: agents.map((p) => ({ p, v: [0, 0] })), landmarks: landmarks.map((p) => ({ p })) };
}
