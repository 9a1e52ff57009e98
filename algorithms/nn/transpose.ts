/**
 * The matrix transpose the hand-written backward passes use (weight gradients hᵀ·ḡ, input gradients ḡ·Wᵀ). wasm's
 * Transpose kernel is slow for tall matrices whose row count is a multiple of 256 (the output's rows are then a multiple
 * of 1 KiB apart): measured here (tfjs 4.22, µs, wasm / the loop below) 256 × 64: 46 / 29, 512 × 64: 166 / 56,
 * 256 × 128: 104 / 61, 1024 × 64: 435 / 110; but 300 × 64: 9 / 33 and 256 × 32: 8 / 23. A batch of hidden activations
 * (B = 256 rows, or 2B when two passes share one forward, × 64) is exactly the slow case. A transpose moves values without
 * arithmetic, so the result is identical either way. (Longer chains written as such loops lose: LayerNorm's forward as one
 * loop took 140 µs against 50–70 µs for its nine XNNPACK kernels at 256 × 64.)
 */
import * as tf from '@tensorflow/tfjs';
import { isRecording } from './gradient-path.ts';
import { onWasmHeap, registerWasmKernel, type HeapAccess } from './wasm-heap.ts';

const TALL_TRANSPOSE = 'Om2pTallTranspose';

/** xᵀ. On wasm the slow shapes above go through the loop below; everything else is tf.transpose. Caller owns the result. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = x.shape;
  const slowOnWasm = rows > cols && rows % 256 === 0 && cols >= 64;
  // A recorded transpose needs tfjs' differentiable kernel; the backward passes that call this are not recorded.
  if (!slowOnWasm || isRecording() || !onWasmHeap([x])) return tf.transpose(x);
  registerWasmKernel(TALL_TRANSPOSE, tallTransposeKernel);
  return tf.engine().runKernel(TALL_TRANSPOSE, { x }, {}) as tf.Tensor2D;
}

/** out[j, i] = x[i, j], written row by row of the output (contiguous writes, strided reads). */
function tallTransposeKernel([x]: tf.TensorInfo[], heap: HeapAccess): tf.TensorInfo {
  const [m, n] = x.shape;
  const out = heap.make([n, m]);
  const values = heap.floats();
  let k = heap.at(out);
  const source = heap.at(x);
  for (let j = 0; j < n; j++) {
    for (let i = 0, p = source + j; i < m; i++, p += n) values[k++] = values[p];
  }
  return out;
}
