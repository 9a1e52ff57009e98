import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import { validationErrors } from '../../harness/schema.ts';
import { createCritic } from '../../algorithms/nn/critic.ts';
import { eulerSample, interpolate, qLoss } from '../../algorithms/flow-family.ts';
import { flow, type FlowConfig } from '../../algorithms/flow.ts';
import { useBackend } from '../helpers/backend.ts';
import { banditDistance, leakPerUpdate, sameSeedLossesTwice, singleAgentSpace } from './flow-fixtures.ts';

const small: Partial<FlowConfig> = { hidden: [64, 64], batchSize: 128, learningRate: 3e-3, flowSteps: 5 };

describe('flow config', () => {
  it('accepts the presets and rejects unknown or ill-typed keys', () => {
    expect(validationErrors(flow.schema, { ...flow.defaults, ...flow.presets.paper })).toEqual([]);
    expect(validationErrors(flow.schema, { ...flow.defaults, steps: 3 })).toEqual([{ path: '/steps', reason: 'unknown key' }]);
    expect(validationErrors(flow.schema, { ...flow.defaults, flowSteps: 2.5 })[0].path).toBe('/flowSteps');
    expect(validationErrors(flow.schema, { ...flow.defaults, hidden: 256 })[0].path).toBe('/hidden');
  });
});

describe('flow-family building blocks', () => {
  it('x_τ = (1 − τ)ε + τa row by row', async () => {
    await useBackend('cpu');
    const x = interpolate(tf.tensor2d([[1, -1], [2, 0]]), tf.tensor2d([[0, 1], [4, 4]]), tf.tensor2d([[0.25], [1]]));
    expect(x.arraySync()).toEqual([[0.75, -0.5], [4, 4]]);
  });

  it('K Euler steps integrate v = c to ε + c and v = −x to ε(1 − 1/K)^K', async () => {
    await useBackend('cpu');
    const obs = tf.zeros([2, 1]) as tf.Tensor2D;
    const eps = tf.tensor2d([[1, -2], [0.5, 3]]);
    const constant = eulerSample((o) => tf.tile(tf.tensor2d([[0.3, -0.1]]), [o.shape[0], 1]), obs, eps, 4).arraySync();
    expect(constant[1][0]).toBeCloseTo(0.8, 6);
    expect(constant[1][1]).toBeCloseTo(2.9, 6);
    const decay = eulerSample((_o, x) => tf.neg(x), obs, eps, 5).arraySync();
    expect(decay[0][1]).toBeCloseTo(-2 * 0.8 ** 5, 6);
    // The time passed at step i is i/K: v = τ integrates to ε + Σ_i (i/K)/K = ε + (K − 1)/(2K).
    const ramp = eulerSample((_o, x, tau) => tf.mul(tf.onesLike(x), tau), obs, eps, 4).arraySync();
    expect(ramp[0][0]).toBeCloseTo(1 + 3 / 8, 6);
  });

  it('the normalised Q term is −mean(Q̄)/mean|Q̄| and its gradient ignores the scale', async () => {
    await useBackend('cpu');
    const critic = createCritic({ obsDim: 2, actDim: 2, hidden: [8] }, createRng(4), 'q');
    const obs = tf.tensor2d([[0.1, 0.2], [0.3, -0.4], [1, 0]]);
    const act = tf.tensor2d([[0.5, -0.5], [0.9, 0.1], [-0.3, -0.8]]);
    const [q0, q1] = critic.forward(obs, act).map((q) => Array.from(q.dataSync()));
    const qBar = q0.map((v, k) => (v + q1[k]) / 2);
    const meanAbs = qBar.reduce((s, v) => s + Math.abs(v), 0) / 3;
    expect(qLoss(critic, obs, act, true).loss.dataSync()[0]).toBeCloseTo(-(qBar.reduce((s, v) => s + v, 0) / 3) / meanAbs, 5);
    // d/da of −mean(Q̄)·sg(1/mean|Q̄|) = (d/da of −mean(Q̄)) / mean|Q̄|.
    const scaled = tf.grad((a: tf.Tensor) => qLoss(critic, obs, a as tf.Tensor2D, true).loss)(act).arraySync() as number[][];
    const plain = tf.grad((a: tf.Tensor) => qLoss(critic, obs, a as tf.Tensor2D, false).loss)(act).arraySync() as number[][];
    expect(scaled[2][1]).toBeCloseTo(plain[2][1] / meanAbs, 5);
  });
});

describe('flow training', () => {
  it('declares K network evaluations per action', async () => {
    await useBackend('cpu');
    const agent = flow.create(singleAgentSpace(2), { ...flow.defaults, ...small }, createRng(1));
    expect(agent.networkEvalsPerAction).toBe(5);
    agent.dispose();
  });

  it('on a one-step bandit, η > 0 moves the mean action to within 0.3 of a* (the data mean is 0.86 away)', async () => {
    await useBackend('wasm');
    expect(await banditDistance(flow, { ...small, eta: 1 }, [0.7, -0.5], 120)).toBeLessThan(0.3);
  });

  it('an update and an action leave no tensors behind', async () => {
    await useBackend('wasm');
    expect(await leakPerUpdate(flow, small)).toBe(0);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`the same seed gives identical losses twice on ${backend}`, async () => {
      await useBackend(backend);
      const [first, second] = await sameSeedLossesTwice(flow, small);
      expect(first).toEqual(second);
      const keys = ['actor/fm', 'actor/loss', 'actor/q', 'actor/q_mean', 'critic/loss', 'critic/target_mean'];
      expect(Object.keys(first[0]).sort()).toEqual(keys);
      expect(first.every((l) => Object.values(l).every(Number.isFinite))).toBe(true);
    });
  }
});
