import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { stopGradient } from '../../algorithms/nn/gradient-path.ts';
import { useBackend } from '../helpers/backend.ts';

describe.each(['cpu', 'wasm'] as const)('stopGradient (%s)', (backend) => {
  it('passes values and blocks the gradient: d/dx [x · sg(x)] = sg(x) = x, not 2x', async () => {
    await useBackend(backend);
    const x = tf.tensor1d([1.5, -2, 3]);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x);
    expect(Array.from(grad.dataSync())).toEqual([1.5, -2, 3]);
    tf.dispose([x, grad]);
  });

  it('outlives the tensor it was made from and frees its data only when both are gone', async () => {
    await useBackend(backend);
    const before = tf.memory();
    const stopped = tf.tidy(() => stopGradient(tf.mul(tf.tensor1d([1, 2]), 3)));
    // the product was freed by the tidy; the shared data stays for `stopped`
    tf.tidy(() => {
      tf.fill([2], 7); // a new allocation, which would reuse the memory had it been freed
    });
    expect(Array.from(stopped.dataSync())).toEqual([3, 6]);
    stopped.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
