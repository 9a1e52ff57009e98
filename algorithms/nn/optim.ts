/**
 * Optimisation helpers: Adam over an explicit variable list (SPEC §4: β1 0.9, β2 0.999, ε 1e-8 — tfjs defaults to 1e-7),
 * Polyak averaging of target networks, and copying variables.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  learningRate: number;
  /** @default 1e-8 */
  epsilon?: number;
}

export interface Adam {
  /**
   * One step on `loss` over exactly `variables` (nothing else is updated: that is how the actor loss leaves the critic
   * untouched). `loss` returns the scalar to minimise plus named diagnostics; returns the diagnostics as numbers,
   * with the loss under `lossName`.
   */
  step(lossName: string, loss: () => { loss: tf.Scalar; extras?: Record<string, tf.Scalar> }): Record<string, number>;
  dispose(): void;
}

export function createAdam(variables: tf.Variable[], options: AdamOptions): Adam {
  const optimizer = tf.train.adam(options.learningRate, 0.9, 0.999, options.epsilon ?? 1e-8);
  return {
    step(lossName, loss) {
      let extras: Record<string, tf.Scalar> = {};
      const { value, grads } = tf.variableGrads(() => {
        const out = loss();
        extras = Object.fromEntries(Object.entries(out.extras ?? {}).map(([k, v]) => [k, tf.keep(v)]));
        return out.loss;
      }, variables);
      optimizer.applyGradients(grads as tf.NamedTensorMap as Parameters<typeof optimizer.applyGradients>[0]);
      const result: Record<string, number> = { [lossName]: value.dataSync()[0] };
      for (const [k, v] of Object.entries(extras)) result[k] = v.dataSync()[0];
      tf.dispose([value, ...Object.values(grads), ...Object.values(extras)]);
      return result;
    },
    dispose: () => optimizer.dispose(),
  };
}

/** target ← (1 − rate)·target + rate·source, pairwise (SPEC's `targetUpdateRate`). */
export function polyakUpdate(target: tf.Variable[], source: tf.Variable[], rate: number): void {
  tf.tidy(() => {
    target.forEach((t, k) => t.assign(tf.add(tf.mul(1 - rate, t), tf.mul(rate, source[k]))));
  });
}

/** target ← source, pairwise (initialising target networks). */
export function copyVariables(target: tf.Variable[], source: tf.Variable[]): void {
  polyakUpdate(target, source, 1);
}
