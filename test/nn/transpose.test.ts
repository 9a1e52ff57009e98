import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { transpose2d } from '../../algorithms/nn/transpose.ts';
import { useBackend } from '../helpers/backend.ts';

/** x[i][j] = 1000·i + j, so every element names its own position. */
function positional(rows: number, cols: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, (_, k) => 1000 * Math.floor(k / cols) + (k % cols)), [rows, cols]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`transpose2d on ${backend}`, () => {
    // The shapes the wasm loop takes (256 × 64, 512 × 96), and others tf.transpose keeps.
    for (const [rows, cols] of [[256, 64], [512, 96], [37, 5], [5, 37], [64, 64], [1, 9], [9, 1]]) {
      it(`moves x[i][j] to out[j][i] for ${rows} × ${cols}`, async () => {
        await useBackend(backend);
        const out = transpose2d(positional(rows, cols));
        expect(out.shape).toEqual([cols, rows]);
        const values = out.dataSync();
        for (let j = 0; j < cols; j++) {
          for (let i = 0; i < rows; i++) expect(values[j * rows + i]).toBe(1000 * i + j);
        }
      });
    }

    it('stays differentiable when recorded (d/dx Σ xᵀ∘c = cᵀ)', async () => {
      await useBackend(backend);
      const c = positional(3, 8);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(transpose2d(x as tf.Tensor2D), c)))(tf.zeros([8, 3]));
      expect(Array.from(grad.dataSync())).toEqual(Array.from(tf.transpose(c).dataSync()));
    });
  });
}
