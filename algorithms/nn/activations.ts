/** Activations tfjs lacks or computes differently from the reference code (SPEC §4 "Paper-scale settings"). */
import * as tf from '@tensorflow/tfjs';

export type ActivationName = 'relu' | 'gelu' | 'mish' | 'tanh' | 'linear';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) — tfjs has no GELU op. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // x·x·x, not tf.pow(x, 3): pow's gradient also differentiates the exponent (a log per element).
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}

/** Mish: x·tanh(softplus(x)) — tfjs has no `tf.mish`. */
export function mish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.tanh(tf.softplus(x))));
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
      return tf.tanh(x);
    case 'linear':
      return x;
  }
}
