/**
 * Tensors whose rows are E equal blocks, one per stacked network or agent ([E·B, n], block k = rows [kB, (k+1)B)): the
 * element-wise maths runs once over all rows, and only what differs per block goes through these helpers. Each helper
 * keeps the single-block case (E = 1) to exactly the kernels it had before stacking. Products never run batched over
 * blocks (a batched matMul over 3 blocks costs ~12× three separate ones on wasm): each block's product runs on its own
 * contiguous rows (an axis-0 slice or concat is a memcpy; a reshape is free).
 */
import * as tf from '@tensorflow/tfjs';
import { sumRows } from './constants.ts';
import { isRecording } from './gradient-path.ts';
import { onWasm, wasmBlockColumnSums, wasmRowBlock } from './wasm-kernels.ts';

/**
 * x's E row blocks, in order. For E > 1 the caller owns them (for E = 1 the block is x itself). Outside gradient recording on
 * wasm each block is one copy of its own rows (nn/wasm-kernels.ts); recorded splits (the autograd reference) keep tfjs'
 * differentiable split.
 */
export function rowBlocks<T extends tf.Tensor>(x: T, blocks: number): T[] {
  if (blocks === 1) return [x];
  const rows = x.shape[0] / blocks;
  if (onWasm() && !isRecording()) return Array.from({ length: blocks }, (_, k) => wasmRowBlock(x, k * rows, rows));
  return tf.split(x, blocks, 0) as T[];
}

/**
 * Σ over each block's rows: one length-n vector per block of x [E·B, n] (the batch sums of bias and LayerNorm gradients). On
 * wasm one kernel of our own (nn/wasm-kernels.ts); elsewhere each block's 1 × B product with ones. Caller owns the results.
 */
export function blockRowSums(x: tf.Tensor2D, blocks: number): tf.Tensor1D[] {
  const n = x.shape[1];
  if (!onWasm()) return rowBlocks(x, blocks).map((block) => sumRows(block));
  return tf.tidy(() => {
    const sums = wasmBlockColumnSums(x, blocks);
    return rowBlocks(sums, blocks).map((row) => tf.reshape(row, [n]) as tf.Tensor1D);
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
