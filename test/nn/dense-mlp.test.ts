import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRng } from '../../harness/rng.ts';
import { dense, setDenseMode } from '../../algorithms/nn/dense.ts';
import { createMlp } from '../../algorithms/nn/mlp.ts';
import { createCritic } from '../../algorithms/nn/critic.ts';
import { createAdam, polyakUpdate } from '../../algorithms/nn/optim.ts';
import { loadWeights, saveWeights } from '../../algorithms/nn/weights.ts';
import { sinusoidalEmbedding } from '../../algorithms/nn/embedding.ts';
import { leakedTensors, useBackend } from '../helpers/backend.ts';

function gradients(x: tf.Tensor2D, w: tf.Variable, b: tf.Variable): Float32Array[] {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sin(dense(x, w as tf.Tensor2D, b as tf.Tensor1D)))), [
      w,
      b,
    ]);
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.sin(dense(xx as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D)))))(x);
    return [grads[w.name].dataSync(), grads[b.name].dataSync(), dx.dataSync()] as Float32Array[];
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`dense layer on ${backend}`, () => {
    afterEach(() => setDenseMode('explicit'));

    it('explicit-transpose gradient equals autograd (max abs diff ≤ 1e-5)', async () => {
      await useBackend(backend);
      const rng = createRng(3);
      const x = tf.tensor2d(Float32Array.from({ length: 32 * 7 }, () => rng.normal()), [32, 7]);
      const w = tf.variable(tf.tensor2d(Float32Array.from({ length: 7 * 5 }, () => rng.normal() * 0.3), [7, 5]));
      const b = tf.variable(tf.tensor1d(Float32Array.from({ length: 5 }, () => rng.normal())));
      setDenseMode('explicit');
      const fast = gradients(x, w, b);
      setDenseMode('autograd');
      const slow = gradients(x, w, b);
      for (let k = 0; k < 3; k++) {
        expect(fast[k].length).toBe(slow[k].length);
        expect(maxAbsDiff(fast[k], slow[k])).toBeLessThanOrEqual(1e-5);
      }
      tf.dispose([x, w, b]);
    });

    it('a training step of MLP + critic leaks no tensors', async () => {
      await useBackend(backend);
      const rng = createRng(1);
      const actor = createMlp({ inputDim: 6, hidden: [16, 16], outputDim: 2, activation: 'gelu' }, rng.fork('a'), 'actor');
      const critic = createCritic({ obsDim: 6, actDim: 2, hidden: [16, 16], layerNorm: true }, rng.fork('c'), 'critic');
      const adam = createAdam([...actor.variables, ...critic.variables], { learningRate: 1e-3 });
      const obs = tf.randomNormal([8, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
      const step = () => {
        adam.step('loss', () => ({
          loss: tf.tidy(() => {
            const q = critic.forward(obs, tf.tanh(actor.forward(obs)) as tf.Tensor2D);
            return tf.neg(tf.mean(tf.add(q[0], q[1]))) as tf.Scalar;
          }),
        }));
      };
      step(); // optimiser slots are created on the first step
      expect(leakedTensors(step)).toBe(0);
      expect(leakedTensors(step)).toBe(0);
      tf.dispose(obs);
    });
  });
}

describe('mlp blocks', () => {
  it('forward-mode tangent equals a float64 central difference of the same network', async () => {
    await useBackend('cpu');
    for (const activation of ['relu', 'gelu', 'mish', 'tanh'] as const) {
      const net = createMlp({ inputDim: 4, hidden: [8, 8], outputDim: 3, activation, layerNorm: true }, createRng(5), `jvp-${activation}`);
      const weights = saveWeights(net.variables);
      const x = [0.3, -0.7, 1.1, 0.2];
      const dir = [0.5, 1, -0.25, 0.75];
      const [, yDot] = net.forwardWithTangent(tf.tensor2d([x]), tf.tensor2d([dir]));
      const h = 1e-6;
      const plus = forward64(weights, activation, x.map((v, k) => v + h * dir[k]));
      const minus = forward64(weights, activation, x.map((v, k) => v - h * dir[k]));
      const reference = plus.map((p, k) => (p - minus[k]) / (2 * h));
      const got = yDot.dataSync();
      for (let k = 0; k < 3; k++) expect(got[k]).toBeCloseTo(reference[k], 3);
    }
  });

  it('save → load round-trips every weight; polyak with rate r mixes exactly', async () => {
    await useBackend('cpu');
    const a = createMlp({ inputDim: 3, hidden: [4], outputDim: 2 }, createRng(1), 'net');
    const b = createMlp({ inputDim: 3, hidden: [4], outputDim: 2 }, createRng(2), 'net');
    const a0 = a.variables[0].dataSync()[0];
    const b0 = b.variables[0].dataSync()[0];
    polyakUpdate(b.variables, a.variables, 0.25);
    expect(b.variables[0].dataSync()[0]).toBeCloseTo(0.75 * b0 + 0.25 * a0, 6);
    loadWeights(b.variables, saveWeights(a.variables));
    expect(Array.from(b.variables[2].dataSync())).toEqual(Array.from(a.variables[2].dataSync()));
    expect(() => loadWeights(b.variables, {})).toThrow(/net\/l0\/w/);
  });

  it('sinusoidal embedding of step 0 is [0…, 1…] and of step k has sin(k) first', async () => {
    await useBackend('cpu');
    const e = sinusoidalEmbedding(tf.tensor2d([[0], [2]]), 16).arraySync();
    expect(e[0].slice(0, 8).every((v) => v === 0)).toBe(true);
    expect(e[0].slice(8).every((v) => v === 1)).toBe(true);
    expect(e[1][0]).toBeCloseTo(Math.sin(2), 5);
    expect(e[1][8]).toBeCloseTo(Math.cos(2), 5);
  });
});

/** Plain float64 forward pass of the MLP from saved weights (the independent reference). */
function forward64(weights: ReturnType<typeof saveWeights>, activation: string, x: number[]): number[] {
  const act = (v: number) => {
    if (activation === 'relu') return Math.max(0, v);
    if (activation === 'tanh') return Math.tanh(v);
    if (activation === 'mish') return v * Math.tanh(Math.log1p(Math.exp(v)));
    return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  };
  let h = x;
  for (let l = 0; ; l++) {
    const w = weights[`jvp-${activation}/l${l}/w`];
    if (!w) return h;
    const b = weights[`jvp-${activation}/l${l}/b`].values;
    const nOut = w.shape[1];
    const out = Array.from({ length: nOut }, (_, j) => b[j] + h.reduce((s, hv, i) => s + hv * w.values[i * nOut + j], 0));
    const isOutput = !weights[`jvp-${activation}/l${l + 1}/w`];
    if (isOutput) return out;
    const a = out.map(act);
    const gain = weights[`jvp-${activation}/l${l}/ln_gain`].values;
    const bias = weights[`jvp-${activation}/l${l}/ln_bias`].values;
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    h = a.map((v, j) => ((v - mean) / Math.sqrt(variance + 1e-6)) * gain[j] + bias[j]);
  }
}
