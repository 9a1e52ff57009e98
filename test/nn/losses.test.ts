import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { meanSquaredError } from '../../algorithms/nn/losses.ts';
import { useBackend } from '../helpers/backend.ts';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`mean squared error on ${backend}`, () => {
    it('is mean((p − y)²) with gradients 2(p − y)/N and its negative (hand-computed)', async () => {
      await useBackend(backend);
      // p − y = [1, −2, 0.5, 3]: loss (1 + 4 + 0.25 + 9)/4 = 3.5625; ∂p = (p − y)/2.
      const p = tf.variable(tf.tensor2d([[1, 0], [2.5, 4]]));
      const y = tf.variable(tf.tensor2d([[0, 2], [2, 1]]));
      const { value, grads } = tf.variableGrads(() => meanSquaredError(p, y), [p, y]);
      expect(value.dataSync()[0]).toBeCloseTo(3.5625, 6);
      expect(Array.from(grads[p.name].dataSync())).toEqual([0.5, -1, 0.25, 1.5]);
      expect(Array.from(grads[y.name].dataSync())).toEqual([-0.5, 1, -0.25, -1.5]);
      tf.dispose([p, y, value, ...Object.values(grads)]);
    });

    it('treats a target off the tape as data: the prediction gradient is unchanged', async () => {
      await useBackend(backend);
      const p = tf.variable(tf.tensor1d([3, -1]));
      const y = tf.tensor1d([1, 1]);
      const { grads } = tf.variableGrads(() => meanSquaredError(p, y), [p]);
      expect(Array.from(grads[p.name].dataSync())).toEqual([2, -2]);
      tf.dispose([p, y, ...Object.values(grads)]);
    });
  });
}
