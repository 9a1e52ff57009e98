/**
 * `om2p-bench bench nn`: a 3×256 MLP train step (batch 256, Adam) differentiated by tfjs' autograd vs by the MLP's
 * hand-written gradient, on the current backend, side by side in one process.
 */
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../contracts/rng.ts';
import { createAdam, createMlp, readScalars, setGradientMode, type GradientMode } from '../registry.ts';
import { measureLatencies } from '../measure/latency.ts';
import { prepare } from './context.ts';
import { integerAtLeast } from './options.ts';

export function registerBenchNn(bench: Command): void {
  bench
    .command('nn')
    .description('3×256 MLP train step (batch 256): tfjs autograd vs the hand-written MLP gradient')
    .option('--iterations <n>', 'minimum measured steps per variant', integerAtLeast(1), 20)
    .option('--json', 'print one JSON object')
    .action(async (opts: { iterations: number; json?: boolean }, command: Command) => {
      const { backend } = await prepare(command);
      const rng = createRng(0);
      const net = createMlp({ inputDim: 32, hidden: [256, 256, 256], outputDim: 8, activation: 'relu' }, rng, 'bench');
      const adam = createAdam(net.variables, { learningRate: 1e-4 });
      const x = tf.randomNormal([256, 32], 0, 1, 'float32', 1) as tf.Tensor2D;
      const y = tf.randomNormal([256, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
      const step = (mode: GradientMode) => () => {
        setGradientMode(mode);
        return readScalars(adam.step('loss', () => ({ loss: tf.tidy(() => tf.losses.meanSquaredError(y, net.forward(x)) as tf.Scalar) })));
      };
      const results = await measureLatencies({ autograd: step('autograd'), hand: step('hand') }, { iterations: opts.iterations, async: true });
      setGradientMode('hand');
      const ratio = results.autograd.medianMs / results.hand.medianMs;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ backend, ...results, speedup: ratio }, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        [
          `backend ${backend}: 3×256 MLP train step, batch 256 (median of ≥${opts.iterations} after warm-up)`,
          `  tfjs autograd           ${results.autograd.medianMs.toFixed(2)} ms  (±${results.autograd.madMs.toFixed(2)} MAD, n=${results.autograd.samples})`,
          `  hand-written gradient   ${results.hand.medianMs.toFixed(2)} ms  (±${results.hand.madMs.toFixed(2)} MAD, n=${results.hand.samples})`,
          `  speed-up                ${ratio.toFixed(2)}×`,
        ].join('\n') + '\n',
      );
    });
}
