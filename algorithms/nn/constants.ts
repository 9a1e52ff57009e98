/**
 * Constant tensors created once per backend and kept: a number passed to a tfjs op becomes a fresh scalar tensor on every
 * call (on wasm about as costly as the multiply it feeds), and the row of ones that sums a batch is reused by every layer.
 */
import * as tf from '@tensorflow/tfjs';

const cache = new Map<string, tf.Tensor>();

function cached<T extends tf.Tensor>(key: string, make: () => T): T {
  const fullKey = `${tf.getBackend()}/${key}`;
  const hit = cache.get(fullKey);
  if (hit && !hit.isDisposed) return hit as T;
  const made = tf.keep(make());
  cache.set(fullKey, made);
  return made;
}

/** The scalar `value` (float32). Never dispose it. */
export function constant(value: number): tf.Scalar {
  return cached(`s${value}`, () => tf.scalar(value));
}

/** A 1 × rows row of ones. Never dispose it. */
export function onesRow(rows: number): tf.Tensor2D {
  return cached(`1x${rows}`, () => tf.ones([1, rows]) as tf.Tensor2D);
}

/**
 * Σ over the batch (rows) of a B × n matrix as a length-n vector: a 1 × B product with ones. On wasm `tf.sum(x, 0)`
 * transposes first and costs several times more. The caller owns the result.
 */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(onesRow(x.shape[0]), x), [x.shape[1]]) as tf.Tensor1D);
}

/** Tensors and bytes the cache holds (on every backend): memory accounting leaves them out of leaks and residents. */
export function cachedConstants(): { tensors: number; bytes: number } {
  let [tensors, bytes] = [0, 0];
  for (const t of cache.values()) {
    if (t.isDisposed) continue;
    tensors++;
    bytes += t.size * 4;
  }
  return { tensors, bytes };
}
