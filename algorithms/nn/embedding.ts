/** Sinusoidal embedding of a scalar (diffusion step index, spec §4.2): [sin(k·f_j), cos(k·f_j)], f_j = 10000^(−j/(half−1)). */
import * as tf from '@tensorflow/tfjs';
import { concatColumns } from './columns.ts';

/** k: B × 1 → B × dim (dim even). The caller owns the result. */
export function sinusoidalEmbedding(k: tf.Tensor2D, dim: number): tf.Tensor2D {
  if (dim % 2 !== 0 || dim < 4) throw new Error(`sinusoidal embedding needs an even dim ≥ 4, got ${dim}`);
  const half = dim / 2;
  const freqs = new Float32Array(half);
  const scale = Math.log(10000) / (half - 1);
  for (let j = 0; j < half; j++) freqs[j] = Math.exp(-scale * j);
  return tf.tidy(() => {
    const angles = tf.mul(k, tf.tensor2d(freqs, [1, half]));
    return concatColumns([tf.sin(angles), tf.cos(angles)] as tf.Tensor2D[]);
  });
}
