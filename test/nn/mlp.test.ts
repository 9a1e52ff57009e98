import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import { whileTraining } from '../../algorithms/nn/gradient-path.ts';
import { createMlp, forwardRows, setGradientMode, type GradientMode, type Mlp, type MlpOptions } from '../../algorithms/nn/mlp.ts';
import { createCritic } from '../../algorithms/nn/critic.ts';
import { createAdam, polyakUpdate } from '../../algorithms/nn/optim.ts';
import { loadWeights, saveWeights } from '../../algorithms/nn/weights.ts';
import { readScalars } from '../../algorithms/nn/readback.ts';
import { sinusoidalEmbedding } from '../../algorithms/nn/embedding.ts';
import { leakedTensors, useBackend } from '../helpers/backend.ts';

/**
 * Gradients of a non-linear scalar of the network's output w.r.t. every variable and the input, under `mode`. The input is
 * a variable: a plain tensor handed to tf.grad is not on the tape, so the hand-written gradient would treat it as data.
 */
function gradients(net: Mlp, x: tf.Variable, mode: GradientMode): Float32Array[] {
  setGradientMode(mode);
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sin(net.forward(x as tf.Tensor2D)))) as tf.Scalar, [x, ...net.variables]);
    return [...net.variables.map((v) => grads[v.name].dataSync()), grads[x.name].dataSync()] as Float32Array[];
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

/** Every path of the hand-written gradient: each hidden activation with and without LayerNorm, tanh and linear outputs. */
const GRADIENT_CASES: MlpOptions[] = (['relu', 'gelu', 'mish', 'tanh'] as const).flatMap((activation) =>
  [false, true].map((layerNorm) => ({
    inputDim: 7, hidden: [12, 9], outputDim: 4, activation, layerNorm, outputActivation: layerNorm ? 'tanh' : 'linear',
  }) as MlpOptions),
);

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`mlp gradient on ${backend}`, () => {
    afterEach(() => setGradientMode('hand'));

    for (const options of GRADIENT_CASES) {
      const label = `${options.activation}${options.layerNorm ? ' + LayerNorm' : ''}, ${options.outputActivation} output`;
      it(`hand-written gradient equals autograd (max abs diff ≤ 1e-5): ${label}`, async () => {
        await useBackend(backend);
        const rng = createRng(3);
        const net = createMlp(options, rng.fork('net'), 'grad');
        // Non-trivial LayerNorm parameters, so their gradients and the gain's role in x̄ are exercised.
        for (const v of net.variables.filter((v) => v.name.includes('/ln_'))) {
          v.assign(tf.tensor1d(Float32Array.from({ length: v.shape[0] }, () => 1 + 0.5 * rng.normal())));
        }
        const x = tf.variable(tf.tensor2d(Float32Array.from({ length: 32 * 7 }, () => rng.normal()), [32, 7]));
        const hand = gradients(net, x, 'hand');
        const autograd = gradients(net, x, 'autograd');
        // Inside an optimiser step the forward's intermediates reach the backward pass uncopied and are freed at its end.
        const before = tf.memory().numTensors;
        const inStep = whileTraining([x, ...net.variables], () => gradients(net, x, 'hand'));
        expect(tf.memory().numTensors).toBe(before);
        inStep.forEach((g, k) => expect(Array.from(g), `in-step gradient ${k}`).toEqual(Array.from(hand[k])));
        expect(hand.length).toBe(net.variables.length + 1);
        for (let k = 0; k < hand.length; k++) {
          expect(hand[k].length).toBe(autograd[k].length);
          expect(maxAbsDiff(hand[k], autograd[k]), `gradient ${k}`).toBeLessThanOrEqual(1e-5);
          expect(Array.from(hand[k]).some((g) => g !== 0)).toBe(true);
        }
        tf.dispose([x, ...net.variables]);
      });
    }

    it('differentiates only what the step can use: data inputs and untrained networks enter as constants', async () => {
      await useBackend(backend);
      const rng = createRng(4);
      const net = createMlp({ inputDim: 5, hidden: [8], outputDim: 2, activation: 'gelu', layerNorm: true }, rng.fork('a'), 'first');
      const head = createMlp({ inputDim: 2, hidden: [8], outputDim: 1, activation: 'relu' }, rng.fork('b'), 'second');
      const x = tf.tensor2d(Float32Array.from({ length: 16 * 5 }, () => rng.normal()), [16, 5]);
      const loss = () => tf.sum(tf.square(head.forward(net.forward(x)))) as tf.Scalar;
      // The first network's gradients flow through the second, whose own weights are left out when only the first is trained.
      const grads = (mode: GradientMode, train: () => Record<string, tf.Tensor>) => {
        setGradientMode(mode);
        return tf.tidy(() => Object.values(train()).map((g) => Array.from(g.dataSync())));
      };
      const onlyFirst = () => whileTraining(net.variables, () => tf.variableGrads(loss, net.variables).grads);
      const hand = grads('hand', onlyFirst);
      const autograd = grads('autograd', onlyFirst);
      expect(hand.length).toBe(net.variables.length);
      hand.forEach((g, k) => expect(maxAbsDiff(Float32Array.from(g), Float32Array.from(autograd[k]))).toBeLessThanOrEqual(1e-5));
      tf.dispose([x, ...net.variables, ...head.variables]);
    });

    it('a training step of MLP + critic leaks no tensors', async () => {
      await useBackend(backend);
      const rng = createRng(1);
      const actor = createMlp({ inputDim: 6, hidden: [16, 16], outputDim: 2, activation: 'gelu' }, rng.fork('a'), 'actor');
      const critic = createCritic({ obsDim: 6, actDim: 2, hidden: [16, 16], layerNorm: true }, rng.fork('c'), 'critic');
      const adam = createAdam([...actor.variables, ...critic.variables], { learningRate: 1e-3 });
      const obs = tf.randomNormal([8, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
      const step = () =>
        readScalars(
          adam.step('loss', () => ({
            loss: tf.tidy(() => {
              const q = critic.forward(obs, tf.tanh(actor.forward(obs)) as tf.Tensor2D);
              return tf.neg(tf.mean(tf.add(q[0], q[1]))) as tf.Scalar;
            }),
          })),
        );
      await step(); // optimiser slots are created on the first step
      expect(await leakedTensors(step)).toBe(0);
      expect(await leakedTensors(step)).toBe(0);
      tf.dispose(obs);
    });
  });
}

describe('mlp blocks', () => {
  it('forwardRows: every batch as if alone, and the weight gradient the sum of the separate ones', async () => {
    await useBackend('wasm');
    const rng = createRng(8);
    const net = createMlp({ inputDim: 5, hidden: [16, 16], outputDim: 3, activation: 'gelu', layerNorm: true }, rng.fork('net'), 'rows');
    const [a, b] = [7, 12].map((rows) => tf.tensor2d(Float32Array.from({ length: rows * 5 }, () => rng.normal()), [rows, 5]));
    const together = forwardRows(net, [a, b]);
    const alone = [a, b].map((x) => net.forward(x));
    together.forEach((y, k) => expect(Array.from(y.dataSync())).toEqual(Array.from(alone[k].dataSync())));
    const loss = (ya: tf.Tensor, yb: tf.Tensor) => tf.add(tf.sum(tf.square(ya)), tf.sum(tf.sin(yb))) as tf.Scalar;
    const gradsOf = (f: () => tf.Scalar) => whileTraining(net.variables, () => tf.variableGrads(f, net.variables).grads);
    const joint = gradsOf(() => loss(...(forwardRows(net, [a, b]) as [tf.Tensor, tf.Tensor])));
    const separate = gradsOf(() => loss(net.forward(a), net.forward(b)));
    for (const v of net.variables) expect(maxAbsDiff(joint[v.name].dataSync() as Float32Array, separate[v.name].dataSync() as Float32Array), v.name).toBeLessThan(1e-5);
    tf.dispose([a, b, ...together, ...alone, ...Object.values(joint), ...Object.values(separate), ...net.variables]);
  });

  it('forward-mode tangent equals a float64 central difference of the same network', async () => {
    await useBackend('cpu');
    for (const activation of ['relu', 'gelu', 'mish', 'tanh'] as const) {
      const net = createMlp({ inputDim: 4, hidden: [8, 8], outputDim: 3, activation, layerNorm: true }, createRng(5), `jvp-${activation}`);
      const weights = await saveWeights(net.variables);
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
    loadWeights(b.variables, await saveWeights(a.variables));
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
function forward64(weights: Awaited<ReturnType<typeof saveWeights>>, activation: string, x: number[]): number[] {
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
