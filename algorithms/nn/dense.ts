/**
 * Dense layer `y = x·W + b` whose gradient transposes explicitly (DESIGN "Compute backend": on wasm, `matMul` with
 * `transposeA/B` — what autograd uses — is 10–14× slower than an explicit `tf.transpose` followed by a plain `matMul`).
 */
import * as tf from '@tensorflow/tfjs';

/** x: B × in, w: in × out, b: out → B × out. Gradients: dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ_batch dy. */
const denseWithExplicitTranspose = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xSaved, wSaved] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(wSaved)), tf.matMul(tf.transpose(xSaved), dy2), tf.sum(dy2, 0)];
    },
  };
}) as any) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** The dense implementation to use: `explicit` (default, fast on wasm) or `autograd` (tfjs' own, for comparison). */
export type DenseMode = 'explicit' | 'autograd';

let mode: DenseMode = 'explicit';

/** Switches the process-wide dense implementation (used by `bench nn` and the gradient test only). */
export function setDenseMode(next: DenseMode): void {
  mode = next;
}

/** `x·W + b`; the caller owns the result. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return mode === 'explicit' ? denseWithExplicitTranspose(x, w, b) : tf.add(tf.matMul(x, w), b);
}
