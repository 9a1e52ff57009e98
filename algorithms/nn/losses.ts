/**
 * The mean squared error every algorithm regresses with (spec §4 "Losses"), with a hand-written gradient:
 * ∂/∂p mean((p − y)²) = 2(p − y)/N, one kernel pair instead of autograd's chain through mean and squaredDifference. The
 * target's gradient (−∂p) is formed only when the target is on the tape (nn/gradient-path.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { constant } from './constants.ts';
import { onGradientPath, saveForBackward } from './gradient-path.ts';

/** mean over every element of (prediction − target)²; the shapes must match. Caller owns the result. */
export function meanSquaredError(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  const targetGradient = onGradientPath(target);
  const run = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [p, y] = [args[0] as tf.Tensor, targetGradient ? (args[1] as tf.Tensor) : target];
    const difference = tf.sub(p, y);
    const read = saveForBackward(save, [], [difference]);
    return {
      value: tf.mean(tf.square(difference)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, tfjsSaved: tf.Tensor[]) => {
        const [saved] = read(tfjsSaved);
        const dPrediction = tf.mul(saved, tf.mul(dy, constant(2 / saved.size)));
        return targetGradient ? [dPrediction, tf.neg(dPrediction)] : [dPrediction];
      },
    };
  }) as any) as (...inputs: tf.Tensor[]) => tf.Scalar;
  return targetGradient ? run(prediction, target) : run(prediction);
}
