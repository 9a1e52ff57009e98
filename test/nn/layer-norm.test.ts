import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { layerNormForward, layerNormJacobianProduct } from '../../algorithms/nn/layer-norm.ts';
import { createRng } from '../../contracts/rng.ts';
import { useBackend } from '../helpers/backend.ts';

function randomMatrix(rows: number, cols: number, seed: number, scale = 1): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => scale * rng.normal()), [rows, cols]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`layer norm on ${backend}`, () => {
    it('normalises a hand-worked row: [1, 2, 3, 4] → (x − 2.5)/√1.25, then gain and shift', async () => {
      await useBackend(backend);
      const { y, xHat, invSigma } = layerNormForward(tf.tensor2d([[1, 2, 3, 4]]), tf.tensor1d([1, 2, 1, 1]), tf.tensor1d([0, 0, 0, 10]), 0);
      const s = 1 / Math.sqrt(1.25);
      expect(invSigma.dataSync()[0]).toBeCloseTo(s, 6);
      Array.from(xHat.dataSync()).forEach((v, j) => expect(v).toBeCloseTo((j + 1 - 2.5) * s, 6));
      Array.from(y.dataSync()).forEach((v, j) => expect(v).toBeCloseTo([1, 2, 1, 1][j] * (j + 1 - 2.5) * s + [0, 0, 0, 10][j], 5));
    });

    it('its Jacobian annihilates constant rows and x̂ itself (J·1 = 0, J·x̂ ≈ 0 for ε ≪ var)', async () => {
      await useBackend(backend);
      const { xHat, invSigma } = layerNormForward(randomMatrix(8, 16, 1, 3), tf.ones([16]) as tf.Tensor1D, tf.zeros([16]) as tf.Tensor1D, 1e-6);
      for (const v of [tf.ones([8, 16]) as tf.Tensor2D, xHat]) {
        for (const value of layerNormJacobianProduct(v, xHat, invSigma).dataSync()) expect(Math.abs(value)).toBeLessThan(1e-5);
      }
    });
  });
}
