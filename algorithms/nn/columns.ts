/**
 * [x₁ | x₂ | …]: matrices of equal row count side by side, the input of every critic (observation | action) and every
 * flow network (observation | point | time). wasm's Concat kernel copies row by row and input by input through a new
 * view per piece, and its gradient is a Split that copies the whole input per piece: measured here (tfjs 4.22, 256 rows,
 * µs) the columns 18 | 2 | 1 | 1 take 36 to join and 49 per piece to cut out again; the loops below take 6.5 and 9 for
 * 64 | 64 (20 for tfjs). A copy moves values without arithmetic, so results and gradients are identical either way.
 */
import * as tf from '@tensorflow/tfjs';
import { isRecording } from './gradient-path.ts';
import { onWasmHeap, registerWasmKernel, type HeapAccess } from './wasm-heap.ts';

const CONCAT_COLUMNS = 'Om2pConcatColumns';
const SPLIT_COLUMNS = 'Om2pSplitColumns';

/** Pieces at least this wide are copied row by row with `copyWithin`; narrower ones value by value. */
const BLOCK_COPY_WIDTH = 8;

/** Copies `rows` rows of `width` values from row stride `fromStride` to row stride `toStride` within the heap. */
function copyRows(values: Float32Array, from: number, fromStride: number, to: number, toStride: number, rows: number, width: number): void {
  if (width >= BLOCK_COPY_WIDTH) {
    for (let i = 0; i < rows; i++, from += fromStride, to += toStride) values.copyWithin(to, from, from + width);
    return;
  }
  for (let i = 0; i < rows; i++, from += fromStride, to += toStride) {
    for (let j = 0; j < width; j++) values[to + j] = values[from + j];
  }
}

function concatKernel(pieces: tf.TensorInfo[], heap: HeapAccess): tf.TensorInfo {
  const rows = pieces[0].shape[0];
  const total = pieces.reduce((sum, piece) => sum + piece.shape[1], 0);
  const out = heap.make([rows, total]);
  const values = heap.floats();
  let column = heap.at(out);
  for (const piece of pieces) {
    copyRows(values, heap.at(piece), piece.shape[1], column, total, rows, piece.shape[1]);
    column += piece.shape[1];
  }
  return out;
}

function splitKernel([whole]: tf.TensorInfo[], heap: HeapAccess, attrs: tf.NamedAttrMap): tf.TensorInfo[] {
  const [rows, total] = whole.shape;
  const outs = (attrs.widths as number[]).map((width) => heap.make([rows, width]));
  const values = heap.floats();
  let column = heap.at(whole);
  for (const out of outs) {
    copyRows(values, column, total, heap.at(out), out.shape[1], rows, out.shape[1]);
    column += out.shape[1];
  }
  return outs;
}

/** The column blocks of `x` of the given widths (wasm, not recorded for a gradient). Caller owns the results. */
function splitColumns(x: tf.Tensor2D, widths: number[]): tf.Tensor2D[] {
  registerWasmKernel(SPLIT_COLUMNS, splitKernel);
  return tf.engine().runKernel(SPLIT_COLUMNS, { x }, { widths }) as unknown as tf.Tensor2D[];
}

/** [x₁ | x₂ | …] with our kernel (wasm, not recorded for a gradient). Caller owns the result. */
function joinColumns(pieces: tf.Tensor2D[]): tf.Tensor2D {
  registerWasmKernel(CONCAT_COLUMNS, concatKernel);
  return tf.engine().runKernel(CONCAT_COLUMNS, pieces as unknown as tf.NamedTensorMap, {}) as tf.Tensor2D;
}

/** `joinColumns` recorded for a gradient: the gradient of a join is the upstream gradient cut into the same column blocks. */
const differentiableJoin = tf.customGrad(((...args: unknown[]) => {
  args.pop(); // tfjs' save function: the backward pass needs nothing saved
  const pieces = args as tf.Tensor2D[];
  const widths = pieces.map((piece) => piece.shape[1]);
  return { value: joinColumns(pieces), gradFunc: (dy: tf.Tensor2D) => splitColumns(dy, widths) };
}) as any) as (...pieces: tf.Tensor[]) => tf.Tensor2D;

/** [x₁ | x₂ | …] for B × nᵢ matrices: B × Σnᵢ, differentiable. Caller owns the result. */
export function concatColumns(pieces: tf.Tensor2D[]): tf.Tensor2D {
  const rows = pieces[0].shape[0];
  if (pieces.some((piece) => piece.rank !== 2 || piece.shape[0] !== rows)) {
    throw new Error(`concatColumns: every piece needs ${rows} rows, got shapes ${pieces.map((p) => `[${p.shape}]`).join(', ')}`);
  }
  if (!onWasmHeap(pieces)) return tf.concat(pieces, 1) as tf.Tensor2D;
  return isRecording() ? differentiableJoin(...pieces) : joinColumns(pieces);
}
