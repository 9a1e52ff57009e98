import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { concatColumns } from '../../algorithms/nn/columns.ts';
import { createMlp } from '../../algorithms/nn/mlp.ts';
import { recordKernelCalls } from '../../harness/measure/kernel-replay.ts';
import { createRng } from '../../contracts/rng.ts';
import { useBackend } from '../helpers/backend.ts';

/** x[i][j] = 1000·i + j + offset, so every element names its own position and piece. */
function positional(rows: number, cols: number, offset: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, (_, k) => 1000 * Math.floor(k / cols) + (k % cols) + offset), [rows, cols]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`concatColumns on ${backend}`, () => {
    // Narrow pieces (copied value by value), wide ones (copied by block), and a single piece.
    for (const widths of [[18, 2, 1, 1], [64, 64], [3, 9, 8], [5]]) {
      it(`puts piece k's x[i][j] at out[i][offset_k + j] for widths ${widths.join(' | ')}`, async () => {
        await useBackend(backend);
        const rows = 7;
        const pieces = widths.map((w, k) => positional(rows, w, 0.25 * k));
        const out = concatColumns(pieces);
        const total = widths.reduce((a, b) => a + b, 0);
        expect(out.shape).toEqual([rows, total]);
        const values = out.dataSync();
        let offset = 0;
        widths.forEach((w, k) => {
          for (let i = 0; i < rows; i++) for (let j = 0; j < w; j++) expect(values[i * total + offset + j]).toBe(1000 * i + j + 0.25 * k);
          offset += w;
        });
        tf.dispose([...pieces, out]);
      });
    }

    it('is differentiable when recorded: d/dxₖ Σ [x₁ | x₂ | x₃]∘C is the k-th column block of C', async () => {
      await useBackend(backend);
      const c = positional(4, 11, 0.5);
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
        tf.sum(tf.mul(concatColumns([a, b, d] as tf.Tensor2D[]), c)),
      )([tf.zeros([4, 2]), tf.zeros([4, 8]), tf.zeros([4, 1])]);
      const blocks = tf.split(c, [2, 8, 1], 1);
      grads.forEach((g, k) => expect(Array.from(g.dataSync())).toEqual(Array.from(blocks[k].dataSync())));
    });

    it("passes a network's input gradient to the piece on the tape exactly as tf.concat does", async () => {
      await useBackend(backend);
      const net = createMlp({ inputDim: 6, hidden: [16], outputDim: 1, activation: 'gelu', layerNorm: true }, createRng(3), 'q');
      const obs = tf.randomUniform([32, 4], -1, 1, 'float32', 1) as tf.Tensor2D;
      const act = tf.variable(tf.randomUniform([32, 2], -1, 1, 'float32', 2));
      const lossWith = (join: (pieces: tf.Tensor2D[]) => tf.Tensor2D) => () => tf.mean(net.forward(join([obs, act as tf.Tensor2D]))) as tf.Scalar;
      const ours = tf.variableGrads(lossWith(concatColumns), [act]);
      const theirs = tf.variableGrads(lossWith((p) => tf.concat(p, 1) as tf.Tensor2D), [act]);
      expect(ours.value.dataSync()[0]).toBe(theirs.value.dataSync()[0]);
      expect(Array.from(ours.grads[act.name].dataSync())).toEqual(Array.from(theirs.grads[act.name].dataSync()));
      tf.dispose([obs, act, ...net.variables]);
    });

    it('names the shapes when the pieces differ in rows', async () => {
      await useBackend(backend);
      expect(() => concatColumns([tf.zeros([3, 2]), tf.zeros([4, 1])] as tf.Tensor2D[])).toThrow(/3 rows.*\[3,2\], \[4,1\]/);
    });
  });
}

describe('concatColumns on wasm', () => {
  it('joins with its own kernel and cuts the gradient with its own kernel (not Concat and Split)', async () => {
    await useBackend('wasm');
    const [a, b] = [tf.ones([4, 2]), tf.ones([4, 3])] as tf.Tensor2D[];
    const names = recordKernelCalls(() => {
      tf.dispose(tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(concatColumns([x, y] as tf.Tensor2D[])))([a, b]));
    }).map((call) => call.name);
    expect(names).toContain('Om2pConcatColumns');
    expect(names).toContain('Om2pSplitColumns');
    expect(names.filter((n) => n === 'Concat' || n === 'SplitV')).toEqual([]);
    tf.dispose([a, b]);
  });
});
