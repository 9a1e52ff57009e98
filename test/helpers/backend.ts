/** Test helper: select a tfjs backend for one test file (vitest runs each file in its own process). */
import * as tf from '@tensorflow/tfjs';
import { cachedConstants } from '../../algorithms/nn/constants.ts';
import { initBackend } from '../../harness/backend.ts';

/** Selects the backend as the CLI does, so code that asks which harness backend runs (worker threads) gets it. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  await initBackend(name);
}

/**
 * Runs `fn` and returns how many tensors it left behind, not counting constants the nn blocks cache once per process
 * (a first batch size or constant value seen inside `fn` adds one to that bounded cache; that is not a leak).
 */
export function leakedTensors(fn: () => void): number {
  const before = tf.memory().numTensors - cachedConstants().tensors;
  fn();
  return tf.memory().numTensors - cachedConstants().tensors - before;
}
