/**
 * Activations tfjs lacks or computes differently from the reference code (spec §4 "Paper-scale settings"), with their
 * slopes. GELU is the tanh form 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) — tfjs has no GELU op — computed as the identical
 * x·σ(2z): 0.5(1 + tanh z) = σ(2z), and wasm's Tanh kernel is ~16× slower than its Sigmoid. Mish is x·tanh(softplus(x))
 * (tfjs has no `tf.mish`).
 */
import * as tf from '@tensorflow/tfjs';
import { constant } from './constants.ts';

export type ActivationName = 'relu' | 'gelu' | 'mish' | 'tanh' | 'linear';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/** σ(2z(x)), z = √(2/π)(x + 0.044715x³), written x·(2√(2/π) + 2√(2/π)·0.044715·x²): four kernels. */
function geluSigmoid(x: tf.Tensor): tf.Tensor {
  const k = 2 * SQRT_2_OVER_PI;
  return tf.sigmoid(tf.mul(x, tf.add(constant(k), tf.mul(constant(k * GELU_CUBIC), tf.square(x)))));
}

/** tanh(x) = 2σ(2x) − 1 (identical; wasm's Tanh kernel is slow, see the header). */
function tanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(constant(2), tf.sigmoid(tf.mul(constant(2), x))), constant(1)));
}

/**
 * y = f(x) plus the intermediate its slope reuses (GELU: σ(2z); Mish: tanh(softplus x)), so a backward pass or a tangent
 * does not recompute it. `linear` returns x itself. Caller owns both.
 */
export function activateWithAux(name: ActivationName, x: tf.Tensor): { y: tf.Tensor; aux?: tf.Tensor } {
  switch (name) {
    case 'relu':
      return { y: tf.relu(x) };
    case 'gelu': {
      const aux = geluSigmoid(x);
      return { y: tf.mul(x, aux), aux };
    }
    case 'mish': {
      const aux = tanh(tf.softplus(x));
      return { y: tf.mul(x, aux), aux };
    }
    case 'tanh':
      return { y: tanh(x) };
    case 'linear':
      return { y: x };
  }
}

/**
 * f'(x) from the input x, the output y and `activateWithAux`'s aux, for the backward pass and forward-mode tangents alike;
 * null for `linear` (slope 1). Caller owns the result.
 */
export function activationSlope(name: ActivationName, x: tf.Tensor, y: tf.Tensor, aux?: tf.Tensor): tf.Tensor | null {
  if (name === 'linear') return null;
  return tf.tidy(() => {
    switch (name) {
      case 'relu':
        return tf.step(y); // y > 0 exactly where x > 0; tfjs' relu gradient is step(x) too
      case 'tanh':
        return tf.sub(constant(1), tf.square(y));
      case 'gelu': {
        // d/dx x·σ(2z(x)) = σ + x·σ(1 − σ)·2z'(x), z' = √(2/π)(1 + 3·0.044715x²)
        const sig = aux!;
        const k = 2 * SQRT_2_OVER_PI;
        const dInner = tf.add(constant(k), tf.mul(constant(3 * k * GELU_CUBIC), tf.square(x)));
        return tf.add(sig, tf.mul(tf.mul(x, tf.mul(sig, tf.sub(constant(1), sig))), dInner));
      }
      case 'mish': {
        // d/dx x·tanh(sp(x)) = tanh(sp) + x(1 − tanh²(sp))·σ(x)
        const t = aux!;
        return tf.add(t, tf.mul(x, tf.mul(tf.sub(constant(1), tf.square(t)), tf.sigmoid(x))));
      }
    }
  });
}
