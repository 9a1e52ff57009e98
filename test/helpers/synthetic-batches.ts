/**
 * Test helper: small synthetic offline problems for algorithm tests, as `AgentBatch` tensors (no environment or dataset
 * files). Every problem uses one constant observation, so the learned policy is a single action distribution.
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, AgentBatch, AgentSpace } from '../../contracts/types.ts';
import type { Rng } from '../../contracts/rng.ts';

/** The constant observation every problem uses (any fixed vector would do). */
export const OBS = [0.5, -0.2, 1.0];

/** One learned agent with `OBS.length` observation dims and `actDim` action dims; identity normalisation statistics. */
export function singleAgentSpace(actDim: number): AgentSpace {
  return {
    obsDims: [OBS.length],
    actDims: [actDim],
    obsMean: [new Float32Array(OBS.length)],
    obsStd: [new Float32Array(OBS.length).fill(1)],
  };
}

function constantObs(rows: number): tf.Tensor2D {
  return tf.tile(tf.tensor2d([OBS]), [rows, 1]) as tf.Tensor2D;
}

/** A batch with the given actions and rewards; `done = 1` everywhere (every transition ends its episode). */
export function oneStepBatch(acts: Float32Array, rews: Float32Array, actDim: number): AgentBatch {
  const rows = rews.length;
  return {
    obs: constantObs(rows),
    acts: tf.tensor2d(acts, [rows, actDim]),
    rews: tf.tensor2d(rews, [rows, 1]),
    nextObs: constantObs(rows),
    dones: tf.ones([rows, 1]) as tf.Tensor2D,
  };
}

/** Two modes: 1-d actions ±`mode` with probability ½ each, reward 0. */
export function bimodalBatch(rng: Rng, rows: number, mode: number): AgentBatch {
  const acts = Float32Array.from({ length: rows }, () => (rng.uniform() < 0.5 ? -mode : mode));
  return oneStepBatch(acts, new Float32Array(rows), 1);
}

/** One-step bandit: actions uniform in [−1, 1]^d, reward −‖a − a*‖², done = 1. */
export function banditBatch(rng: Rng, rows: number, aStar: number[]): AgentBatch {
  const d = aStar.length;
  const acts = Float32Array.from({ length: rows * d }, () => rng.range(-1, 1));
  const rews = Float32Array.from({ length: rows }, (_, r) => {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += (acts[r * d + j] - aStar[j]) ** 2;
    return -sq;
  });
  return oneStepBatch(acts, rews, d);
}

/** Runs `updates` updates, each on a fresh batch that is disposed afterwards; returns the last update's losses. */
export async function train(agent: Agent, updates: number, makeBatch: () => AgentBatch): Promise<Record<string, number>> {
  let losses: Record<string, number> = {};
  for (let u = 0; u < updates; u++) {
    const batch = makeBatch();
    losses = await agent.update([batch]);
    tf.dispose(Object.values(batch));
  }
  return losses;
}

/** `rows` actions of the (single) agent at the constant observation. */
export async function actionsAtObs(agent: Agent, rows: number, deterministic: boolean): Promise<Float32Array> {
  const obs = new Float32Array(rows * OBS.length).map((_, k) => OBS[k % OBS.length]);
  return (await agent.act([obs], { deterministic }))[0];
}
