/** offTape: what it computes is data to the gradient, on every backend the harness measures on. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { offTape } from '../../algorithms/nn/gradient-path.ts';
import { useBackend } from '../helpers/backend.ts';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`offTape on ${backend}`, () => {
    it('stops the gradient: d/dx [x² + sg(x²)] = 2x, while the value counts both terms', async () => {
      await useBackend(backend);
      const x = tf.tensor1d([1, -2, 3]);
      const f = (v: tf.Tensor) => tf.sum(tf.add(tf.square(v), offTape(() => tf.square(v))));
      const { value, grad } = tf.valueAndGrad(f)(x);
      expect(value.dataSync()[0]).toBe(28); // 2·(1 + 4 + 9)
      expect(Array.from(grad.dataSync())).toEqual([2, -4, 6]);
      // Recording resumes afterwards: the same expression without offTape doubles the gradient.
      const plain = tf.grad((v: tf.Tensor) => tf.sum(tf.add(tf.square(v), tf.square(v))))(x);
      expect(Array.from(plain.dataSync())).toEqual([4, -8, 12]);
      tf.dispose([x, value, grad, plain]);
    });

    it('restores recording when its function throws', async () => {
      await useBackend(backend);
      expect(() => offTape(() => { throw new Error('boom'); })).toThrow('boom');
      expect(tf.engine().state.kernelDepth).toBe(0);
    });
  });
}
