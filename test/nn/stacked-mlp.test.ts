/**
 * Stacked MLPs (nn/mlp.ts `stackMlps`): E same-shaped networks over row-stacked input give each block exactly what its own
 * network gives it; the hand-written gradient of the stacked pass equals tfjs autograd through the members' own forwards,
 * and the stacked tangent equals the members' tangents.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../harness/rng.ts';
import { whileTraining } from '../../algorithms/nn/gradient-path.ts';
import { createMlp, forwardRows, setGradientMode, stackMlps, type GradientMode, type Mlp, type MlpOptions } from '../../algorithms/nn/mlp.ts';
import { rowBlocks } from '../../algorithms/nn/row-blocks.ts';
import { useBackend } from '../helpers/backend.ts';

const MEMBERS = 3;
const ROWS = 16;

const CASES: { label: string; options: MlpOptions }[] = [
  { label: 'GELU + LayerNorm, linear output', options: { inputDim: 7, hidden: [12, 9], outputDim: 4, activation: 'gelu', layerNorm: true } },
  { label: 'ReLU, tanh output', options: { inputDim: 7, hidden: [12, 9], outputDim: 4, activation: 'relu', outputActivation: 'tanh' } },
  { label: 'linear, one layer', options: { inputDim: 7, hidden: [], outputDim: 4, activation: 'linear' } },
];

function matrix(rng: Rng, rows: number, cols: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => rng.normal()), [rows, cols]);
}

/** Three members of one shape, with non-trivial LayerNorm parameters so that each member's own gain matters. */
function members(options: MlpOptions, rng: Rng): Mlp[] {
  return Array.from({ length: MEMBERS }, (_, k) => {
    const net = createMlp(options, rng.fork(`m${k}`), `m${k}`);
    for (const v of net.variables.filter((v) => v.name.includes('/ln_'))) {
      v.assign(tf.tensor1d(Float32Array.from({ length: v.shape[0] }, () => 1 + 0.5 * rng.normal())));
    }
    return net;
  });
}

/** Each member's forward on its own row block, concatenated: what the stacked forward must reproduce. */
function separately(nets: Mlp[], x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.concat(tf.split(x, nets.length, 0).map((block, k) => nets[k].forward(block as tf.Tensor2D)), 0) as tf.Tensor2D);
}

/** Gradients of a non-linear scalar of the stacked output w.r.t. every member variable (and `x`, when it is a variable). */
function gradients(net: Mlp, x: tf.Tensor2D, mode: GradientMode): Float32Array[] {
  setGradientMode(mode);
  const sources = x instanceof tf.Variable ? [...net.variables, x] : net.variables;
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sin(net.forward(x)))) as tf.Scalar, sources);
    return sources.map((v) => grads[v.name].dataSync() as Float32Array);
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`stacked MLPs on ${backend}`, () => {
    afterEach(() => setGradientMode('hand'));

    for (const { label, options } of CASES) {
      it(`forward and tangent equal the members' own, bit for bit: ${label}`, async () => {
        await useBackend(backend);
        const rng = createRng(5);
        const nets = members(options, rng);
        const stacked = stackMlps(nets);
        const [x, xDot] = [matrix(rng, MEMBERS * ROWS, 7), matrix(rng, MEMBERS * ROWS, 7)];
        const [y, expected] = [stacked.forward(x), separately(nets, x)];
        expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
        const [yT, yDot] = stacked.forwardWithTangent(x, xDot);
        const own = nets.map((net, k) => net.forwardWithTangent(x.slice(k * ROWS, ROWS), xDot.slice(k * ROWS, ROWS)));
        expect(Array.from(yT.dataSync())).toEqual(Array.from(expected.dataSync()));
        expect(Array.from(yDot.dataSync())).toEqual(own.flatMap(([, d]) => Array.from(d.dataSync())));
        // Two batches through forwardRows: each as if alone.
        const z = matrix(rng, MEMBERS * ROWS, 7);
        const [a, b] = forwardRows(stacked, [x, z]);
        expect(Array.from(a.dataSync())).toEqual(Array.from(expected.dataSync()));
        expect(Array.from(b.dataSync())).toEqual(Array.from(separately(nets, z).dataSync()));
        tf.dispose([x, xDot, y, expected, yT, yDot, z, a, b, ...own.flat(), ...nets.flatMap((n) => n.variables)]);
      });

      for (const inputGradient of [true, false]) {
        it(`hand-written gradient equals autograd through the members (≤ 1e-5), ${inputGradient ? 'with' : 'without'} input gradient: ${label}`, async () => {
          await useBackend(backend);
          const rng = createRng(6);
          const nets = members(options, rng);
          const stacked = stackMlps(nets);
          const data = matrix(rng, MEMBERS * ROWS, 7);
          const x = inputGradient ? tf.variable(data) : data;
          const hand = gradients(stacked, x, 'hand');
          const autograd = gradients(stacked, x, 'autograd');
          const inStep = whileTraining(inputGradient ? [...stacked.variables, x as tf.Variable] : stacked.variables, () => gradients(stacked, x, 'hand'));
          expect(hand.length).toBe(stacked.variables.length + (inputGradient ? 1 : 0));
          hand.forEach((g, k) => {
            expect(maxAbsDiff(g, autograd[k]), `gradient ${k}`).toBeLessThanOrEqual(1e-5);
            expect(Array.from(inStep[k]), `in-step gradient ${k}`).toEqual(Array.from(g));
          });
          tf.dispose([data, x, ...nets.flatMap((n) => n.variables)]);
        });
      }
    }

    it('refuses members of different shapes', async () => {
      await useBackend(backend);
      const rng = createRng(7);
      const a = createMlp({ inputDim: 3, hidden: [4], outputDim: 2 }, rng.fork('a'), 'a');
      const b = createMlp({ inputDim: 3, hidden: [5], outputDim: 2 }, rng.fork('b'), 'b');
      expect(() => stackMlps([a, b])).toThrow(/b differs in shape from a/);
      tf.dispose([...a.variables, ...b.variables]);
    });
  });
}

describe('row blocks', () => {
  it('the wasm block copy equals tfjs split, block by block', async () => {
    await useBackend('wasm');
    const x = tf.tensor2d(Float32Array.from({ length: 12 * 5 }, (_, k) => k * 0.5 - 7), [12, 5]);
    const fast = rowBlocks(x, 3);
    const reference = tf.split(x, 3, 0);
    expect(fast.map((b) => b.shape)).toEqual([[4, 5], [4, 5], [4, 5]]);
    fast.forEach((b, k) => expect(Array.from(b.dataSync())).toEqual(Array.from(reference[k].dataSync())));
    expect(Array.from(fast[2].dataSync()).slice(0, 2)).toEqual([13, 13.5]); // row 8 starts at element 40: 40·0.5 − 7
    tf.dispose([x, ...fast, ...reference]);
  });
});
