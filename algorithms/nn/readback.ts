/**
 * Reading tensors back to the host without a synchronous device read. A GPU backend cannot map a buffer synchronously
 * (tfjs' webgpu `dataSync` needs an OffscreenCanvas that Node lacks; Dawn maps only asynchronously), and an asynchronous
 * read lets the device run the work queued after it while the host waits. On host-memory backends (wasm, cpu) a tensor's
 * values already sit in host memory: they are copied at once, as before, and only the promise is new.
 */
import * as tf from '@tensorflow/tfjs';

const HOST_MEMORY_BACKENDS = new Set(['wasm', 'cpu']);

/** Whether the current backend keeps tensors in host memory, where reading one is a copy, not a device round trip. */
export function onHostMemory(): boolean {
  return HOST_MEMORY_BACKENDS.has(tf.getBackend());
}

/**
 * The values of each tensor (float32): at once on host-memory backends, else a promise of them. For callers whose next
 * step should not wait for a promise's turn when nothing is in flight (handing a minibatch to another thread).
 */
export function readEager(tensors: readonly tf.Tensor[]): Float32Array[] | Promise<Float32Array[]> {
  if (onHostMemory()) return tensors.map((t) => t.dataSync() as Float32Array);
  return Promise.all(tensors.map((t) => t.data())) as Promise<Float32Array[]>;
}

/** The values of each tensor (float32). */
export async function read(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  return readEager(tensors);
}

/** The values of each tensor (float32), then disposes them. */
export async function readAndDispose(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return await read(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * Named scalars as numbers, then disposes them. On a device the scalars are stacked first: one copy and one map for all of
 * them instead of one each.
 */
export async function readScalars(scalars: Record<string, tf.Scalar>): Promise<Record<string, number>> {
  const names = Object.keys(scalars);
  const tensors = Object.values(scalars);
  if (tensors.length === 0) return {};
  let values: ArrayLike<number>;
  if (onHostMemory()) {
    values = tensors.map((t) => t.dataSync()[0]);
    tf.dispose(tensors);
  } else {
    const stacked = tf.stack(tensors);
    tf.dispose(tensors);
    [values] = await readAndDispose([stacked]);
  }
  return Object.fromEntries(names.map((name, k) => [name, values[k]]));
}
