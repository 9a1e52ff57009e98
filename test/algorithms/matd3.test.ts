/** MATD3 behaviour learner (spec §4.5, §3.1): exploration, delayed updates, Polyak targets, learning a two-agent bandit. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMatd3, MATD3_PRESETS, type Matd3Config } from '../../algorithms/matd3.ts';
import { createRng, type Rng } from '../../contracts/rng.ts';
import type { AgentBatch, NamedWeights } from '../../contracts/types.ts';
import { leakedTensors, useBackend } from '../helpers/backend.ts';

const SPACE = { obsDims: [3, 4], actDims: [1, 2] };
const CONFIG: Matd3Config = { ...MATD3_PRESETS.mpe, hidden: [32, 32], batchSize: 128 };
/** The bandit's best actions: agent 0 → [0.5], agent 1 → [−0.3, 0.2]. */
const BEST = [[0.5], [-0.3, 0.2]];

/**
 * One-step cooperative bandit (dones = 1, so y = r): r = −Σ_agents Σ_dims (a − best)², shared by both agents; random
 * observations and uniform actions.
 */
function banditBatch(rng: Rng, rows: number): AgentBatch[] {
  const acts = SPACE.actDims.map((d) => Float32Array.from({ length: rows * d }, () => rng.range(-1, 1)));
  const reward = new Float32Array(rows);
  SPACE.actDims.forEach((d, i) => {
    for (let r = 0; r < rows; r++) for (let k = 0; k < d; k++) reward[r] -= (acts[i][r * d + k] - BEST[i][k]) ** 2;
  });
  return SPACE.obsDims.map((o, i) => ({
    obs: tf.tensor2d(Float32Array.from({ length: rows * o }, () => rng.normal()), [rows, o]),
    acts: tf.tensor2d(acts[i], [rows, SPACE.actDims[i]]),
    rews: tf.tensor2d(reward, [rows, 1]),
    nextObs: tf.tensor2d(Float32Array.from({ length: rows * o }, () => rng.normal()), [rows, o]),
    dones: tf.ones([rows, 1]) as tf.Tensor2D,
  }));
}

function disposeBatch(batch: AgentBatch[]): void {
  for (const b of batch) tf.dispose([b.obs, b.acts, b.rews, b.nextObs, b.dones]);
}

function values(weights: NamedWeights, name: string): number[] {
  return weights[name].values;
}

function randomObs(rng: Rng, rows: number): Float32Array[] {
  return SPACE.obsDims.map((o) => Float32Array.from({ length: rows * o }, () => rng.normal()));
}

describe('matd3', () => {
  beforeAll(() => useBackend('wasm'));

  it('starts near zero (last layer U(±3e-3)) and explores with clipped N(0, 0.1²) noise', async () => {
    const agent = createMatd3(SPACE, CONFIG, createRng(1));
    const obs = randomObs(createRng(2), 4000);
    const mean = await agent.act(obs, false);
    const noisy = await agent.act(obs, true);
    for (const a of mean) expect(Math.max(...a.map(Math.abs))).toBeLessThan(0.05);
    const diffs = noisy.flatMap((a, i) => Array.from(a, (x, k) => x - mean[i][k]));
    const sd = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
    expect(sd).toBeGreaterThan(0.095);
    expect(sd).toBeLessThan(0.105);
    const far = await createMatd3(SPACE, { ...CONFIG, explorationNoise: 5 }, createRng(1)).act(obs, true);
    for (const a of far) expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1);
    expect(far[0].some((x) => Math.abs(x) === 1)).toBe(true);
    agent.dispose();
  });

  it('updates critics every step and actors and targets every 2nd step, targets by Polyak', async () => {
    const agent = createMatd3(SPACE, CONFIG, createRng(3));
    const rng = createRng(4);
    const snapshot = () => agent.save();
    const w0 = await snapshot();
    const batch = banditBatch(rng, 64);
    const first = await agent.update(batch);
    const w1 = await snapshot();
    expect(Object.keys(first).sort()).toEqual(['critic/loss', 'critic/target']);
    expect(values(w1, 'agent0/critic/q0/l0/w')).not.toEqual(values(w0, 'agent0/critic/q0/l0/w'));
    expect(values(w1, 'agent1/actor/l0/w')).toEqual(values(w0, 'agent1/actor/l0/w'));
    expect(values(w1, 'agent1/critic_target/q1/l0/w')).toEqual(values(w0, 'agent1/critic_target/q1/l0/w'));
    const second = await agent.update(batch);
    const w2 = await snapshot();
    expect(Object.keys(second).sort()).toEqual(['actor/loss', 'actor/penalty', 'actor/q', 'critic/loss', 'critic/target']);
    expect(values(w2, 'agent1/actor/l0/w')).not.toEqual(values(w1, 'agent1/actor/l0/w'));
    // target ← 0.99·target + 0.01·source, with the source after this step's update.
    for (const [target, source] of [['agent0/actor_target/l2/w', 'agent0/actor/l2/w'], ['agent1/critic_target/q0/l1/w', 'agent1/critic/q0/l1/w']]) {
      const expected = values(w1, target).map((t, k) => 0.99 * t + 0.01 * values(w2, source)[k]);
      values(w2, target).forEach((x, k) => expect(x).toBeCloseTo(expected[k], 6));
    }
    expect(await leakedTensors(() => agent.update(batch))).toBe(0);
    expect(await leakedTensors(() => agent.update(batch))).toBe(0);
    disposeBatch(batch);
    agent.dispose();
  });

  it('learns the cooperative bandit optimum through the centralised critics', async () => {
    const agent = createMatd3(SPACE, CONFIG, createRng(5));
    const rng = createRng(6);
    let losses: Record<string, number> = {};
    for (let step = 0; step < 400; step++) {
      const batch = banditBatch(rng, CONFIG.batchSize);
      losses = { ...losses, ...(await agent.update(batch)) };
      disposeBatch(batch);
    }
    // Q ≈ r: the best reward is 0, so the actor's Q approaches 0 from below and the critic fits the quadratic.
    expect(losses['critic/loss']).toBeLessThan(0.05);
    const actions = await agent.act(randomObs(createRng(7), 200), false);
    actions.forEach((a, i) => {
      const d = SPACE.actDims[i];
      for (let k = 0; k < d; k++) {
        let mean = 0;
        for (let r = 0; r < 200; r++) mean += a[r * d + k] / 200;
        expect(Math.abs(mean - BEST[i][k])).toBeLessThan(0.1);
      }
    });
    agent.dispose();
  });

  it('with criticState the critics read the global state: they fit a reward the observations cannot explain', async () => {
    // One-step task (y = r): r = −(a_0 − s)² with s ~ U(−1, 1) in the state only. Without s the best fit leaves
    // Var(2·a_0·s − s²) = 4/9 + 4/45 ≈ 0.53 per head (a_0 ~ U(−1, 1)), ≈ 1.07 for the loss summed over both heads.
    const finalCriticLoss = async (criticState: boolean) => {
      const stateDim = 2;
      const agent = createMatd3(criticState ? { ...SPACE, stateDim } : SPACE, { ...CONFIG, criticState }, createRng(12));
      const rng = createRng(13);
      let loss = Number.NaN;
      for (let step = 0; step < 300; step++) {
        const rows = CONFIG.batchSize;
        const batch = banditBatch(rng, rows);
        const s = Float32Array.from({ length: rows * stateDim }, () => rng.range(-1, 1));
        const a0 = batch[0].acts.dataSync();
        const r = Float32Array.from({ length: rows }, (_, k) => -((a0[k] - s[k * stateDim]) ** 2));
        tf.dispose(batch.map((b) => b.rews));
        for (const b of batch) b.rews = tf.tensor2d(r, [rows, 1]);
        const states = { states: tf.tensor2d(s, [rows, stateDim]), nextStates: tf.tensor2d(s, [rows, stateDim]) };
        loss = (await agent.update(batch, criticState ? states : undefined))['critic/loss'];
        disposeBatch(batch);
        tf.dispose([states.states, states.nextStates]);
      }
      agent.dispose();
      return loss;
    };
    const [withState, withoutState] = [await finalCriticLoss(true), await finalCriticLoss(false)];
    expect(withState).toBeLessThan(0.15);
    expect(withoutState).toBeGreaterThan(0.6);
    const agent = createMatd3({ ...SPACE, stateDim: 2 }, { ...CONFIG, criticState: true }, createRng(14));
    const batch = banditBatch(createRng(15), 8);
    await expect(agent.update(batch)).rejects.toThrow(/global state/);
    disposeBatch(batch);
    agent.dispose();
  });

  it('gives identical losses for the same seed and restores weights with load', async () => {
    const run = async () => {
      const agent = createMatd3(SPACE, CONFIG, createRng(8));
      const batch = banditBatch(createRng(9), 64);
      const out = [await agent.update(batch), await agent.update(batch)];
      disposeBatch(batch);
      return { out, agent };
    };
    const a = await run();
    const b = await run();
    expect(b.out).toEqual(a.out);
    const fresh = createMatd3(SPACE, CONFIG, createRng(10));
    const obs = randomObs(createRng(11), 5);
    expect(await fresh.act(obs, false)).not.toEqual(await a.agent.act(obs, false));
    await fresh.loadActors(await a.agent.saveActors());
    expect(await fresh.act(obs, false)).toEqual(await a.agent.act(obs, false));
    await fresh.load(await b.agent.save());
    expect(await fresh.save()).toEqual(await b.agent.save());
    for (const x of [a.agent, b.agent, fresh]) x.dispose();
  });
});
