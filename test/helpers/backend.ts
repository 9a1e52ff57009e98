/** Test helper: select a tfjs backend for one test file (vitest runs each file in its own process). */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { cachedConstants } from '../../algorithms/nn/constants.ts';

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}

/**
 * Runs `fn` and returns how many tensors it left behind, not counting constants the nn blocks cache once per process
 * (a first batch size or constant value seen inside `fn` adds one to that bounded cache; that is not a leak).
 */
export async function leakedTensors(fn: () => unknown): Promise<number> {
  const before = tf.memory().numTensors - cachedConstants().tensors;
  await fn();
  return tf.memory().numTensors - cachedConstants().tensors - before;
}
