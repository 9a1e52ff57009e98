/** Activations tfjs lacks or computes differently from the reference code (SPEC §4 "Paper-scale settings"). */
import * as tf from '@tensorflow/tfjs';

export type ActivationName = 'relu' | 'gelu' | 'mish' | 'tanh' | 'linear';

export const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) — tfjs has no GELU op. Computed as the identical x·σ(2z):
 * 0.5(1 + tanh z) = σ(2z), and wasm's Tanh kernel is ~16× slower than its Sigmoid.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(geluInner(x, 2 * SQRT_2_OVER_PI))));
}

/** scale·(x + 0.044715x³); x·x·x rather than tf.pow, whose gradient also differentiates the exponent. */
export function geluInner(x: tf.Tensor, scale: number): tf.Tensor {
  return tf.mul(scale, tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
}

/** tanh(x) = 2σ(2x) − 1 (identical; see `gelu` for why). */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(2, tf.sigmoid(tf.mul(2, x))), 1));
}

/** Mish: x·tanh(softplus(x)) — tfjs has no `tf.mish`. */
export function mish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tanh(tf.softplus(x))));
}

export function activate(name: ActivationName, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    case 'gelu':
      return gelu(x);
    case 'mish':
      return mish(x);
    case 'tanh':
      return tanh(x);
    case 'linear':
      return x;
  }
}
