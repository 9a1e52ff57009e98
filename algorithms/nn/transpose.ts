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

const TALL_TRANSPOSE = 'Om2pTallTranspose';

/** xᵀ. On wasm the slow shapes above go through the loop below; everything else is tf.transpose. Caller owns the result. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = x.shape;
  const slowOnWasm = rows > cols && rows % 256 === 0 && cols >= 64;
  // A recorded transpose needs tfjs' differentiable kernel; the backward passes that call this are not recorded.
  if (!slowOnWasm || x.dtype !== 'float32' || tf.getBackend() !== 'wasm' || isRecording()) return tf.transpose(x);
  registerTallTranspose();
  return tf.engine().runKernel(TALL_TRANSPOSE, { x }, {}) as tf.Tensor2D;
}

/** The wasm backend's view of its heap (not in tfjs' public types). */
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** Registered once, wasm only: out[j, i] = x[i, j], written row by row of the output (contiguous writes, strided reads). */
function registerTallTranspose(): void {
  if (tf.getKernel(TALL_TRANSPOSE, 'wasm')) return;
  tf.registerKernel({
    kernelName: TALL_TRANSPOSE,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const [rows, cols] = x.shape;
      const heap = backend as unknown as WasmHeap;
      const out = heap.makeOutput([cols, rows], x.dtype);
      // Views taken after makeOutput: an allocation may grow the heap and detach views taken before it.
      const source = heap.typedArrayFromHeap(x);
      const target = heap.typedArrayFromHeap(out);
      let k = 0;
      for (let j = 0; j < cols; j++) {
        for (let i = 0, p = j; i < rows; i++, p += cols) target[k++] = source[p];
      }
      return out;
    },
  });
}
