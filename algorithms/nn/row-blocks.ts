/**
 * Tensors whose rows are E equal blocks, one per stacked network or agent ([E·B, n], block k = rows [kB, (k+1)B)): the
 * element-wise maths runs once over all rows, and only what differs per block goes through these helpers. Each helper
 * keeps the single-block case (E = 1) to exactly the kernels it had before stacking. Products never run batched over
 * blocks (a batched matMul over 3 blocks costs ~12× three separate ones on wasm): each block's product runs on its own
 * contiguous rows (an axis-0 slice or concat is a memcpy; a reshape is free).
 */
import * as tf from '@tensorflow/tfjs';
import { isRecording } from './gradient-path.ts';

/**
 * x's E row blocks, in order. For E > 1 the caller owns them (for E = 1 the block is x itself). Outside gradient recording
 * on wasm each block is one copy of its own rows: wasm's slice and split kernels first copy the WHOLE input out of the heap
 * (their readSync) for every block, ~220 µs per split of a 768 × 64 tensor against ~4 µs here. Recorded splits (the
 * autograd reference) keep tfjs' differentiable split.
 */
export function rowBlocks<T extends tf.Tensor>(x: T, blocks: number): T[] {
  if (blocks === 1) return [x];
  if (tf.getBackend() !== 'wasm' || isRecording()) return tf.split(x, blocks, 0) as T[];
  registerRowBlockKernel();
  const rows = x.shape[0] / blocks;
  return Array.from({ length: blocks }, (_, k) => tf.engine().runKernel(ROW_BLOCK, { x }, { begin: k * rows, rows }) as T);
}

const ROW_BLOCK = 'Om2pRowBlock';

/** Rows [begin, begin + rows) of x, copied straight from the wasm heap (registered once, wasm only, never differentiated). */
function registerRowBlockKernel(): void {
  if (tf.getKernel(ROW_BLOCK, 'wasm')) return;
  tf.registerKernel({
    kernelName: ROW_BLOCK,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const { begin, rows } = attrs as unknown as { begin: number; rows: number };
      const width = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const wasm = backend as unknown as {
        makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
        typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
      };
      const out = wasm.makeOutput([rows, ...x.shape.slice(1)], x.dtype);
      wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(x).subarray(begin * width, (begin + rows) * width));
      return out;
    },
  });
}

/** The blocks' results stacked back along rows (E = 1: the result itself). Caller owns the result. */
export function joinBlocks<T extends tf.Tensor>(parts: T[]): T {
  return parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as T);
}

/** x ∘ v_k on block k (a per-block row vector, e.g. each network's LayerNorm gain). Caller owns the result. */
export function mulPerBlock(x: tf.Tensor2D, vectors: tf.Tensor1D[]): tf.Tensor2D {
  return vectors.length === 1 ? tf.mul(x, vectors[0]) : onBlocks(x, vectors, tf.mul);
}

/** x + v_k on block k. Caller owns the result. */
export function addPerBlock(x: tf.Tensor2D, vectors: tf.Tensor1D[]): tf.Tensor2D {
  return vectors.length === 1 ? tf.add(x, vectors[0]) : onBlocks(x, vectors, tf.add);
}

/** x viewed as [E, B, n] against the vectors stacked as [E, 1, n]: one broadcast kernel for every block. */
function onBlocks(x: tf.Tensor2D, vectors: tf.Tensor1D[], op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, n] = x.shape;
    const stacked = tf.reshape(tf.stack(vectors), [vectors.length, 1, n]);
    return tf.reshape(op(tf.reshape(x, [vectors.length, rows / vectors.length, n]), stacked), [rows, n]) as tf.Tensor2D;
  });
}

/** Each block's mean over its elements: a scalar for one block, else a length-E vector. Caller owns the result. */
export function blockMeans(x: tf.Tensor, blocks: number): tf.Tensor {
  return blocks === 1 ? tf.mean(x) : tf.tidy(() => tf.mean(tf.reshape(x, [blocks, -1]), 1));
}

/** Σ over blocks of a `blockMeans` result (one block: the value itself). Caller owns the result. */
export function blockTotal(values: tf.Tensor): tf.Scalar {
  return (values.rank === 0 ? values : tf.sum(values)) as tf.Scalar;
}

/**
 * Several inputs of one stacked network in one pass: rows regrouped so that block k holds block k of every input (as
 * `forward` needs them), and the output's rows ungrouped. On [E, B, n] views the regrouping is an axis-1 concat and the
 * ungrouping an axis-1 split, kernels that loop over E blocks, not over rows; both are differentiable. Caller owns the results.
 */
export function forwardRegrouped(forward: (x: tf.Tensor2D) => tf.Tensor2D, inputs: tf.Tensor2D[], blocks: number): tf.Tensor2D[] {
  return tf.tidy(() => {
    const view = (x: tf.Tensor2D) => tf.reshape(x, [blocks, x.shape[0] / blocks, x.shape[1]]) as tf.Tensor3D;
    const flat = (x: tf.Tensor3D) => tf.reshape(x, [x.shape[0] * x.shape[1], x.shape[2]]) as tf.Tensor2D;
    const y = forward(flat(tf.concat(inputs.map(view), 1)));
    return (tf.split(view(y), inputs.map((x) => x.shape[0] / blocks), 1) as tf.Tensor3D[]).map(flat);
  });
}
