/**
 * Minibatch sampling (spec §4 "Common"): one set of row indices per minibatch, drawn uniformly with replacement
 * and shared by every learned agent, so agents see the same transitions at a step. Rows are gathered on the CPU
 * into fresh Float32Arrays (wasm has no gather gradient, and the cpu backend may keep the array it is given, so
 * buffers are never reused) and only then become tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { AgentBatch, AgentTransitions, Dataset } from '../../contracts/types.ts';
import type { Rng } from '../../contracts/rng.ts';

export interface Sampler {
  /** One batch per learned agent, in `learnedAgents` order; the caller disposes every tensor. */
  next(): AgentBatch[];
}

/** Samples `batchSize` rows per call from `dataset` for `learnedAgents` (environment agent indices). */
export function createSampler(dataset: Dataset, learnedAgents: number[], batchSize: number, rng: Rng): Sampler {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  for (const i of learnedAgents) {
    if (!dataset.agents[i]) throw new RangeError(`learned agent ${i} is not in the dataset (${dataset.agents.length} agents)`);
  }
  const indices = new Int32Array(batchSize);
  return {
    next() {
      for (let b = 0; b < batchSize; b++) indices[b] = rng.int(dataset.size);
      return learnedAgents.map((i) => agentBatch(dataset.agents[i], dataset.size, indices));
    },
  };
}

function agentBatch(agent: AgentTransitions, rows: number, indices: Int32Array): AgentBatch {
  const batch = indices.length;
  const obsDim = agent.obs.length / rows;
  const actDim = agent.acts.length / rows;
  return {
    obs: tf.tensor2d(gatherRows(agent.obs, obsDim, indices), [batch, obsDim]),
    acts: tf.tensor2d(gatherRows(agent.acts, actDim, indices), [batch, actDim]),
    rews: tf.tensor2d(gatherRows(agent.rews, 1, indices), [batch, 1]),
    nextObs: tf.tensor2d(gatherRows(agent.nextObs, obsDim, indices), [batch, obsDim]),
    dones: tf.tensor2d(gatherRows(agent.dones, 1, indices), [batch, 1]),
  };
}

/** Rows `indices` of a `rows × width` matrix, as a new `indices.length × width` matrix. */
export function gatherRows(values: Float32Array, width: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let b = 0; b < indices.length; b++) {
    const from = indices[b] * width;
    for (let c = 0; c < width; c++) out[b * width + c] = values[from + c];
  }
  return out;
}
