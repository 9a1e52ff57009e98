/**
 * LayerNorm over the feature axis, y = x̂·g + b with x̂ = (x − mean x)/√(var x + ε), written so that its backward pass and
 * its forward-mode tangent share one piece: x ↦ x̂ has the symmetric Jacobian J = (I − 11ᵀ/n − x̂x̂ᵀ/n)/σ, so the gradient
 * is J·(ȳ∘g) and the tangent g∘(J·ẋ).
 */
import * as tf from '@tensorflow/tfjs';
import { constant } from './constants.ts';

/** x: B × n → y, x̂ and 1/σ (B × 1). Caller owns all three. */
export function layerNormForward(
  x: tf.Tensor2D,
  gain: tf.Tensor1D,
  shift: tf.Tensor1D,
  eps: number,
): { y: tf.Tensor2D; xHat: tf.Tensor2D; invSigma: tf.Tensor2D } {
  return tf.tidy(() => {
    const centred = tf.sub(x, tf.mean(x, -1, true));
    const invSigma = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), constant(eps))) as tf.Tensor2D;
    const xHat = tf.mul(centred, invSigma) as tf.Tensor2D;
    return { y: tf.add(tf.mul(xHat, gain), shift) as tf.Tensor2D, xHat, invSigma };
  });
}

/** J·v = (v − mean v − x̂·mean(x̂∘v))/σ, row by row. Caller owns the result. */
export function layerNormJacobianProduct(v: tf.Tensor2D, xHat: tf.Tensor2D, invSigma: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(
    () => tf.mul(tf.sub(tf.sub(v, tf.mean(v, -1, true)), tf.mul(xHat, tf.mean(tf.mul(xHat, v), -1, true))), invSigma) as tf.Tensor2D,
  );
}
