/** Test helper: select a tfjs backend for one test file (vitest runs each file in its own process). */
import * as tf from '@tensorflow/tfjs';
import { cachedConstants } from '../../algorithms/nn/constants.ts';
import { initBackend } from '../../harness/backend.ts';
import type { WebgpuAdapter } from '../../contracts/types.ts';
import { describeAdapter, registerWebgpu } from '../../harness/webgpu.ts';

/** Selects the backend as the CLI does, so code that asks which harness backend runs (worker threads) gets it; `webgpu` opens the automatic adapter (`openWebgpu` first says whether one opens). */
export async function useBackend(name: 'cpu' | 'wasm' | 'webgpu'): Promise<void> {
  await initBackend(name);
}

/**
 * Opens the WebGPU adapter for a test file (the automatic choice, as `--backend webgpu` makes it). Where none can be
 * opened the file's WebGPU tests are skipped with the reason on stderr, unless `OM2P_REQUIRE_WEBGPU=1` (CI sets it): then
 * that is a failure, so that CI never passes by skipping them.
 */
export async function openWebgpu(): Promise<WebgpuAdapter | undefined> {
  try {
    const adapter = await registerWebgpu({ adapter: 'auto' }, () => undefined);
    process.stderr.write(`webgpu tests on ${describeAdapter(adapter)}\n`);
    return adapter;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.OM2P_REQUIRE_WEBGPU === '1') throw new Error(`OM2P_REQUIRE_WEBGPU=1 but ${reason}`);
    process.stderr.write(`SKIPPING the webgpu tests: ${reason} (install Mesa's EGL and GLES drivers, or a Vulkan driver)\n`);
    return undefined;
  }
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
