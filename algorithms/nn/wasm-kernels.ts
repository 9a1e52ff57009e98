/**
 * Two kernels of our own for the wasm backend, where tfjs' versions cost far more than the work: a row block of a tensor
 * (wasm's slice and split first copy the WHOLE input out of the heap, their readSync, for every block: ~220 µs per split of
 * a 768 × 64 tensor against ~4 µs for one copy of the block) and column sums per row block (tfjs sums rows either by a
 * 1 × B product, which makes XNNPACK pack the B × n operand first — ~40–60 µs at 256 × 64 — or by `tf.sum(x, 0)`, which
 * transposes first). Both read and write the wasm heap directly; neither is differentiated (they run inside hand-written
 * gradients, never on the tape). Other backends never reach them.
 */
import * as tf from '@tensorflow/tfjs';

const ROW_BLOCK = 'Om2pRowBlock';
const BLOCK_COLUMN_SUMS = 'Om2pBlockColumnSums';

interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** Whether the kernels below serve the current backend. */
export function onWasm(): boolean {
  return tf.getBackend() === 'wasm';
}

/** Rows [begin, begin + rows) of x (any rank ≥ 1; rows along axis 0). wasm only; the caller owns the result. */
export function wasmRowBlock<T extends tf.Tensor>(x: T, begin: number, rows: number): T {
  register();
  return tf.engine().runKernel(ROW_BLOCK, { x }, { begin, rows }) as T;
}

/** x: [E·B, n] → [E, n], row k the column sums of block k (accumulated in float64, stored as float32). wasm only. */
export function wasmBlockColumnSums(x: tf.Tensor2D, blocks: number): tf.Tensor2D {
  register();
  return tf.engine().runKernel(BLOCK_COLUMN_SUMS, { x }, { blocks }) as tf.Tensor2D;
}

function register(): void {
  if (tf.getKernel(ROW_BLOCK, 'wasm')) return;
  tf.registerKernel({
    kernelName: ROW_BLOCK,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const { begin, rows } = attrs as unknown as { begin: number; rows: number };
      const width = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const heap = backend as unknown as WasmHeap;
      const out = heap.makeOutput([rows, ...x.shape.slice(1)], x.dtype);
      heap.typedArrayFromHeap(out).set(heap.typedArrayFromHeap(x).subarray(begin * width, (begin + rows) * width));
      return out;
    },
  });
  tf.registerKernel({
    kernelName: BLOCK_COLUMN_SUMS,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const { blocks } = attrs as unknown as { blocks: number };
      const [rows, n] = x.shape;
      const heap = backend as unknown as WasmHeap;
      const values = heap.typedArrayFromHeap(x);
      const out = heap.makeOutput([blocks, n], 'float32');
      const sums = heap.typedArrayFromHeap(out);
      const perBlock = rows / blocks;
      const acc = new Float64Array(n);
      for (let k = 0; k < blocks; k++) {
        acc.fill(0);
        // Row by row: contiguous reads, one running sum per column.
        for (let i = k * perBlock; i < (k + 1) * perBlock; i++) {
          const offset = i * n;
          for (let j = 0; j < n; j++) acc[j] += values[offset + j];
        }
        sums.set(acc, k * n);
      }
      return out;
    },
  });
}
