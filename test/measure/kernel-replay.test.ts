import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../harness/backend.ts';
import { recordKernelCalls, replayKernels } from '../../harness/measure/kernel-replay.ts';

describe('kernel replay', () => {
  beforeAll(async () => {
    await initBackend('wasm', () => {});
  });

  it('records the kernels a function dispatches, in order, with shapes, positional inputs and attributes', () => {
    const [a, b, w] = [tf.ones([4, 3]), tf.ones([4, 3]), tf.ones([3, 2])];
    const calls = recordKernelCalls(() => {
      tf.tidy(() => {
        tf.add(a, b);
        tf.matMul(a, w, false, false);
        tf.concat([a, b], 1);
      });
    });
    expect(calls.map((c) => c.name)).toEqual(['Add', 'BatchMatMul', 'Concat']);
    expect(calls[0].inputs).toEqual([
      { key: 'a', shape: [4, 3], dtype: 'float32', from: undefined },
      { key: 'b', shape: [4, 3], dtype: 'float32', from: undefined },
    ]);
    expect(calls[1].attrs).toMatchObject({ transposeA: false, transposeB: false });
    expect([calls[0].positional, calls[2].positional]).toEqual([false, true]);
    expect(calls[2].attrs).toMatchObject({ axis: 1 });
    tf.dispose([a, b, w]);
  });

  it('restores the engine when the recorded function throws', () => {
    const engine = tf.engine() as unknown as { runKernel: unknown };
    const before = engine.runKernel;
    expect(() => recordKernelCalls(() => { throw new Error('boom'); })).toThrow('boom');
    expect(engine.runKernel).toBe(before);
  });

  it('replays a data flow in order and each call alone, per recorded call of the function, leaking nothing', () => {
    const [a, w] = [tf.ones([8, 4]), tf.ones([4, 4])];
    const calls = recordKernelCalls(() => {
      tf.tidy(() => {
        let h: tf.Tensor2D = a as tf.Tensor2D;
        for (let k = 0; k < 3; k++) h = tf.relu(tf.matMul(h, w)) as tf.Tensor2D;
      });
    });
    expect(calls.map((c) => c.name)).toEqual(['BatchMatMul', 'Relu', 'BatchMatMul', 'Relu', 'BatchMatMul', 'Relu']);
    // Each product reads the previous ReLU's output; the first reads a tensor made outside the kernels.
    expect(calls.map((c) => c.inputs[0].from)).toEqual([undefined, [0, 0], [1, 0], [2, 0], [3, 0], [4, 0]]);
    expect(calls[0].inputs[1].from).toBeUndefined();
    const tensorsBefore = tf.memory().numTensors;
    const replay = replayKernels(calls, 3, { inOrder: 5, isolated: 1 });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(replay.calls).toBe(2);
    expect(replay.inOrderMs).toBeGreaterThan(0);
    expect(replay.isolatedProductMs).toBeGreaterThan(0);
    expect(replay.isolatedMs).toBeGreaterThan(replay.isolatedProductMs);
    tf.dispose([a, w]);
  });

  it('names a call it cannot replay', () => {
    const bogus = { name: 'NoSuchKernel', positional: false, inputs: [{ key: 'x', shape: [2, 3], dtype: 'float32' as const }], attrs: {} };
    expect(() => replayKernels([bogus])).toThrow(/cannot replay NoSuchKernel \[2×3\]/);
  });
});
