/**
 * The two-agent HalfCheetah environment against spec §2: physics sanity, the reward recomputed from the raw
 * MuJoCo state, observation and state layouts, start-state distribution, determinism, batching and snapshots.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../contracts/errors.ts';
import { validationErrors } from '../../harness/schema.ts';
import { Rng } from '../../contracts/rng.ts';
import type { Environment } from '../../contracts/types.ts';
import { halfCheetah2x3, type HalfCheetahCopyState } from '../../envs/mamujoco/half-cheetah.ts';
import { mujocoModule } from '../../envs/mamujoco/mujoco-module.ts';
import { HALF_CHEETAH_XML } from '../../envs/mamujoco/half-cheetah-model.ts';

const CONTROL_DT = 0.05; // 5 substeps of 0.01 s (spec §2)
const opened: Environment[] = [];

async function open(batch: number, options = halfCheetah2x3.defaults): Promise<Environment> {
  const env = await halfCheetah2x3.create(options, batch);
  opened.push(env);
  return env;
}

afterEach(() => {
  for (const env of opened.splice(0)) env.dispose();
});

function snapshot(env: Environment): HalfCheetahCopyState[] {
  return env.getState() as HalfCheetahCopyState[];
}

/** Per agent, B × 3 actions with every value `value(b, agent, k)`. */
function actionsOf(batch: number, value: (b: number, agent: number, k: number) => number): Float32Array[] {
  return [0, 1].map((agent) => Float32Array.from({ length: batch * 3 }, (_, i) => value(Math.floor(i / 3), agent, i % 3)));
}

function uniformActions(batch: number, rng: Rng): Float32Array[] {
  return actionsOf(batch, () => rng.range(-1, 1));
}

/** Runs `steps` steps of a constant or time-varying action from a seeded reset; returns Δ rootx and the end state. */
function rollout(env: Environment, seed: number, steps: number, action: (t: number, agent: number, k: number) => number) {
  env.reset([seed]);
  const x0 = snapshot(env)[0].qpos[0];
  for (let t = 0; t < steps; t++) env.step(actionsOf(1, (_, agent, k) => action(t, agent, k)));
  const end = snapshot(env)[0];
  return { dx: end.qpos[0] - x0, end };
}

describe('halfcheetah-2x3 physics', () => {
  it('comes to rest in one pose under zero action, whatever the start noise', async () => {
    const env = await open(1);
    const runs = [11, 12, 13].map((seed) => rollout(env, seed, 1000, () => 0));
    for (const { dx, end } of runs) {
      // The start velocity (σ = 0.1 m/s) and the drop onto the floor slide it a little: decimetres at most.
      expect(Math.abs(dx)).toBeLessThan(0.5);
      expect(Math.max(...end.qvel.map(Math.abs))).toBeLessThan(1e-6); // damped joints, no drive: at rest
    }
    // Stiff joints pull toward their springs' rest angles, so the resting height and pitch do not depend on the seed.
    expect(runs[1].end.qpos[1]).toBeCloseTo(runs[0].end.qpos[1], 6);
    expect(runs[2].end.qpos[2]).toBeCloseTo(runs[0].end.qpos[2], 6);
  });

  it('travels metres under a periodic gait, far beyond the zero-action drift', async () => {
    const env = await open(1);
    // A 2 Hz sine on every joint, the front leg a quarter period behind the back leg.
    const gait = (t: number, agent: number, k: number) => Math.sin(2 * Math.PI * 2 * CONTROL_DT * t + k + agent * 1.5 * Math.PI);
    const { dx } = rollout(env, 11, 1000, gait);
    expect(Math.abs(dx)).toBeGreaterThan(5);
  });
});

describe('halfcheetah-2x3 step', () => {
  it('pays Δx/0.05 − 0.1·Σa² with the actions as given, the same to both agents', async () => {
    const env = await open(2);
    env.reset([3, 4]);
    const rng = new Rng(99);
    for (let t = 0; t < 20; t++) env.step(uniformActions(2, rng));
    // Out-of-range actions: the cost uses them unclamped, MuJoCo applies them clamped (spec §2).
    const actions = actionsOf(2, (b, agent, k) => (b === 0 ? [1.5, -0.25, 0.5][k] : -2 + agent + 0.1 * k));
    const before = snapshot(env).map((c) => c.qpos[0]);
    const result = env.step(actions);
    const after = snapshot(env).map((c) => c.qpos[0]);
    for (let b = 0; b < 2; b++) {
      const given = [...actions[0].slice(3 * b, 3 * b + 3), ...actions[1].slice(3 * b, 3 * b + 3)];
      const expected = (after[b] - before[b]) / CONTROL_DT - 0.1 * given.reduce((s, a) => s + a * a, 0);
      expect(result.rewards[0][b]).toBeCloseTo(expected, 4);
      expect(result.rewards[1][b]).toBe(result.rewards[0][b]);
      expect(result.evalReward[b]).toBe(result.rewards[0][b]);
    }
    expect(Array.from(result.actions[0].slice(0, 3))).toEqual([1, -0.25, 0.5]);
    expect(Array.from(result.actions[0].slice(3, 6))).toEqual([-1, -1, -1]);
  });

  it('lays out observations as [qpos, qvel] of foot, shin, thigh per leg, and the state as Gym’s 17-vector', async () => {
    const env = await open(2);
    const expectLayout = (obs: Float32Array[], state: Float32Array) => {
      const f = Math.fround;
      snapshot(env).forEach(({ qpos, qvel }, b) => {
        const back = [f(qpos[5]), f(qvel[5]), f(qpos[4]), f(qvel[4]), f(qpos[3]), f(qvel[3])];
        const front = [f(qpos[8]), f(qvel[8]), f(qpos[7]), f(qvel[7]), f(qpos[6]), f(qvel[6])];
        expect(Array.from(obs[0].slice(6 * b, 6 * b + 6))).toEqual(back);
        expect(Array.from(obs[1].slice(6 * b, 6 * b + 6))).toEqual(front);
        expect(Array.from(state.slice(17 * b, 17 * b + 17))).toEqual([...qpos.slice(1), ...qvel].map(f));
      });
    };
    expectLayout(env.reset([5, 6]), env.state!());
    const result = env.step(uniformActions(2, new Rng(1)));
    expectLayout(result.obs, result.state!);
    expect(env.spec).toMatchObject({ obsDims: [6, 6], actDims: [3, 3], stateDim: 17, episodeLength: 1000 });
  });

  it('rejects action arrays of the wrong count or length, naming the agent', async () => {
    const env = await open(2);
    env.reset([1, 2]);
    expect(() => env.step([new Float32Array(6)])).toThrow(/2 action arrays/);
    expect(() => env.step([new Float32Array(6), new Float32Array(3)])).toThrow(/agent 1/);
  });
});

describe('halfcheetah-2x3 reset', () => {
  it('draws qpos = qpos0 + U(−0.1, 0.1) then qvel = 0.1·N(0, 1) from Rng(seed), in index order', async () => {
    const env = await open(1);
    env.reset([2024]);
    const rng = new Rng(2024);
    const qpos = Array.from({ length: 9 }, () => rng.range(-0.1, 0.1)); // qpos0 is all zeros: the torso's height is its body offset
    const qvel = Array.from({ length: 9 }, () => 0.1 * rng.normal());
    const [copy] = snapshot(env);
    expect(copy.qpos).toEqual(qpos);
    expect(copy.qvel).toEqual(qvel);
  });

  it('validates its options: defaults pass, unknown keys and negative weights are named', () => {
    expect(validationErrors(halfCheetah2x3.schema, halfCheetah2x3.defaults)).toEqual([]);
    const wrong = { ...halfCheetah2x3.defaults, frameSkip: 4, ctrlCostWeight: -1 };
    const paths = validationErrors(halfCheetah2x3.schema, wrong).map((issue) => issue.path);
    expect(paths.sort()).toEqual(['/ctrlCostWeight', '/frameSkip']);
  });

  it('scales the start noise with resetNoiseScale and names changed options in the task id', async () => {
    const options = { ...halfCheetah2x3.defaults, resetNoiseScale: 0 };
    const env = await open(1, options);
    env.reset([7]);
    expect(snapshot(env)[0].qpos).toEqual(Array(9).fill(0));
    expect(env.spec.taskId).toBe('halfcheetah-2x3[resetNoiseScale=0]');
    expect((await open(1)).spec.taskId).toBe('halfcheetah-2x3');
  });
});

describe('halfcheetah-2x3 reproducibility', () => {
  /** Returns of `steps` uniform-random steps per copy, with one action stream per copy. */
  function returns(env: Environment, seeds: number[], steps: number, actionSeeds: number[]): number[] {
    env.reset(seeds);
    const streams = actionSeeds.map((s) => new Rng(s));
    const total = new Array<number>(seeds.length).fill(0);
    for (let t = 0; t < steps; t++) {
      // Copy b's actions come from its own stream, drawn in the same order a single-copy run draws them.
      const perCopy = streams.map((rng) => Array.from({ length: 6 }, () => rng.range(-1, 1)));
      const r = env.step(actionsOf(seeds.length, (b, agent, k) => perCopy[b][3 * agent + k]));
      r.evalReward.forEach((x, b) => (total[b] += x));
    }
    return total;
  }

  it('repeats an episode exactly under the same seeds and differs under another seed', async () => {
    const [a, b] = [await open(1), await open(1)];
    const first = returns(a, [8], 200, [80]);
    expect(returns(b, [8], 200, [80])).toEqual(first);
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(returns(b, [9], 200, [80])).not.toEqual(first);
  });

  it('runs B copies exactly as B single-copy runs', async () => {
    const seeds = [31, 32, 33];
    const batched = await open(3);
    const together = returns(batched, seeds, 100, [1, 2, 3]);
    const apart = [];
    for (let b = 0; b < 3; b++) apart.push(returns(await open(1), [seeds[b]], 100, [b + 1])[0]);
    expect(together).toEqual(apart);
  });

  it('repeats every step bit for bit after a JSON round trip of getState()', async () => {
    const env = await open(2);
    const rng = new Rng(5);
    env.reset([40, 41]);
    for (let t = 0; t < 300; t++) {
      const saved = JSON.stringify(env.getState());
      const actions = uniformActions(2, rng);
      const reward = env.step(actions).evalReward;
      const copies = snapshot(env);
      env.setState(JSON.parse(saved));
      // Exact in float64: the snapshot carries the solver's warm start; restoring without it changes about one
      // step in ten by ~1e-12 (measured), and such differences grow over an episode.
      expect(env.step(actions).evalReward).toEqual(reward);
      expect(snapshot(env)).toEqual(copies);
    }
  });

  it('rejects a malformed snapshot, naming the field', async () => {
    const env = await open(2);
    env.reset([1, 2]);
    const state = snapshot(env);
    expect(() => env.setState(state.slice(1))).toThrow(ConfigError);
    state[1].qvel = state[1].qvel.slice(2);
    expect(() => env.setState(state)).toThrow(/state\/1\/qvel/);
  });

  it('keeps stepping correctly after another allocation grows the shared WASM heap', async () => {
    const env = await open(1);
    const mj = await mujocoModule();
    const probeModel = mj.MjModel.from_xml_string(HALF_CHEETAH_XML);
    const probeData = new mj.MjData(probeModel);
    const probe = probeData.qpos as Float64Array; // a view taken before the heap grows
    const actions = [uniformActions(1, new Rng(3)), uniformActions(1, new Rng(4))];
    env.reset([6]);
    env.step(actions[0]);
    await open(64); // 64 MB of MjData: more than the heap has spare
    expect(probe.length).toBe(0); // precondition: the heap did grow, so views taken before are detached
    const after = env.step(actions[1]);
    // A copy created after the growth, driven the same way, is the reference.
    const reference = await open(1);
    reference.reset([6]);
    reference.step(actions[0]);
    const expected = reference.step(actions[1]);
    expect(after.state!.every(Number.isFinite)).toBe(true);
    expect(after.state).toEqual(expected.state);
    expect(after.evalReward).toEqual(expected.evalReward);
    probeData.delete();
    probeModel.delete();
  });

  it('refuses use after dispose()', async () => {
    const env = await halfCheetah2x3.create(halfCheetah2x3.defaults, 1);
    env.dispose();
    env.dispose(); // idempotent
    expect(() => env.reset([1])).toThrow(/after dispose/);
  });
});
