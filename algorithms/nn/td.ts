/**
 * The critic side shared by every offline algorithm (spec §4 "Common"): TD target `y = r + γ(1 − done)·agg_k Q̄_k(o', a')`
 * and the regression of each head onto it.
 */
import * as tf from '@tensorflow/tfjs';
import type { AgentBatch } from '../../contracts/types.ts';
import { aggregateHeads, type Critic } from './critic.ts';
import { meanSquaredError } from './losses.ts';

/** y = r + γ(1 − done)·agg_k Q̄_k(o', a'); `nextActions` carries no gradient. B × 1, caller owns it. */
export function tdTarget(
  targetCritic: Critic,
  batch: AgentBatch,
  nextActions: tf.Tensor2D,
  gamma: number,
  aggregation: 'mean' | 'min',
): tf.Tensor2D {
  return tf.tidy(() => {
    const nextQ = aggregateHeads(targetCritic.forward(batch.nextObs, nextActions), aggregation);
    return tf.add(batch.rews, tf.mul(tf.mul(gamma, tf.sub(1, batch.dones)), nextQ)) as tf.Tensor2D;
  });
}

/**
 * Regression of every head onto `target`: `mean` = mean over heads and batch (om2p, flow, fql); `sum` = sum over heads of
 * each head's batch-mean MSE (diffusion, td3bc, matd3).
 */
export function criticRegressionLoss(
  critic: Critic,
  obs: tf.Tensor2D,
  acts: tf.Tensor2D,
  target: tf.Tensor2D,
  reduction: 'mean' | 'sum',
): tf.Scalar {
  return tf.tidy(() => {
    const perHead = critic.forward(obs, acts).map((q) => meanSquaredError(q, target));
    const total = tf.addN(perHead);
    return (reduction === 'mean' ? tf.div(total, perHead.length) : total) as tf.Scalar;
  });
}
