import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../harness/backend.ts';
import { isolatedKernelMs, recordKernelCalls } from '../../harness/measure/kernel-replay.ts';

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
      { key: 'a', shape: [4, 3], dtype: 'float32' },
      { key: 'b', shape: [4, 3], dtype: 'float32' },
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

  it('sums isolated times over every recorded call, per update, leaking nothing and naming what it cannot replay', () => {
    const [a, w] = [tf.ones([8, 4]), tf.ones([4, 4])];
    const calls = recordKernelCalls(() => {
      tf.tidy(() => {
        for (let k = 0; k < 3; k++) tf.relu(tf.matMul(a, w));
      });
    });
    expect(calls.map((c) => c.name)).toEqual(['BatchMatMul', 'Relu', 'BatchMatMul', 'Relu', 'BatchMatMul', 'Relu']);
    const tensorsBefore = tf.memory().numTensors;
    const bogus = { name: 'NoSuchKernel', positional: false, inputs: [{ key: 'x', shape: [2, 3], dtype: 'float32' as const }], attrs: {} };
    const result = isolatedKernelMs([...calls, bogus], 3, 20);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result.calls).toBeCloseTo(7 / 3, 12);
    expect(result.productMs).toBeGreaterThan(0);
    expect(result.ms).toBeGreaterThan(result.productMs);
    expect(result.notReplayed).toEqual(['NoSuchKernel [2×3]']);
    tf.dispose([a, w]);
  });
});
