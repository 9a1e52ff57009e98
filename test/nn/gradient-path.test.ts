/** onGradientPath and offTape: which tensors a gradient can flow into, on every backend the harness measures on. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { offTape, onGradientPath, whileTraining } from '../../algorithms/nn/gradient-path.ts';
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

describe('onGradientPath', () => {
  it('inside a step: only what depends on a trained variable through recorded ops; outside: any recorded output', async () => {
    await useBackend('cpu');
    const trainedW = tf.variable(tf.tensor2d([[1, 2]]), true, 'path/w');
    const frozen = tf.variable(tf.tensor2d([[3, 4]]), true, 'path/frozen');
    const data = tf.tensor2d([[5, 6]]);
    const seen: Record<string, boolean> = {};
    whileTraining([trainedW], () =>
      tf.variableGrads(() => {
        const dataConcat = tf.concat([data, data], 1); // recorded, but data
        const fromFrozen = tf.mul(frozen, 2); // depends on a variable this step does not train
        const fromTrained = tf.concat([data, tf.mul(trainedW, 2)], 1); // data and a trained variable's descendant
        Object.assign(seen, { data: onGradientPath(data), dataConcat: onGradientPath(dataConcat), fromFrozen: onGradientPath(fromFrozen), fromTrained: onGradientPath(fromTrained) });
        return tf.sum(tf.add(tf.sum(fromTrained), tf.sum(tf.add(dataConcat, tf.concat([fromFrozen, fromFrozen], 1))))) as tf.Scalar;
      }, [trainedW]),
    );
    expect(seen).toEqual({ data: false, dataConcat: false, fromFrozen: false, fromTrained: true });
    // A bare tf.grad may differentiate with respect to any tensor, so there every recorded output is on the path.
    tf.grad((x: tf.Tensor) => {
      seen.bare = onGradientPath(tf.concat([data, data], 1));
      return tf.sum(x);
    })(data);
    expect(seen.bare).toBe(true);
    tf.dispose([trainedW, frozen, data]);
  });
});
