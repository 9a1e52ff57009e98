/**
 * Efficiency of one algorithm (SPEC §5): peak tensor bytes of one update (`tf.profile`), what an update leaves behind,
 * and action-sampling latency at batch 1 and at the evaluation batch (tinybench).
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, AgentBatch } from '../types.ts';
import { measureLatencies, type Latency } from './latency.ts';

export interface UpdateProfile {
  /** The update's own losses. */
  losses: Record<string, number>;
  /** Tensor bytes alive just before the update (weights, optimiser slots, the batch): the part of `peakBytes` it did not allocate. */
  residentBytes: number;
  peakBytes: number;
  leakTensors: number;
  leakBytes: number;
}

/** Profiles one `agent.update(batch)`: peak bytes during it, and tensors/bytes still alive after it that were not before. */
export async function profileUpdate(agent: Agent, batch: AgentBatch[]): Promise<UpdateProfile> {
  const before = tf.memory();
  let losses: Record<string, number> = {};
  const info = await tf.profile(() => {
    losses = agent.update(batch);
  });
  const after = tf.memory();
  return { losses, residentBytes: before.numBytes, peakBytes: info.peakBytes, leakTensors: after.numTensors - before.numTensors, leakBytes: after.numBytes - before.numBytes };
}

/** Latency of `agent.act` for random observations at each batch size (obs are built once, outside the timed call). */
export function actLatency(agent: Agent, obsDims: number[], batches: number[], options = { iterations: 10, timeMs: 200 }): Latency[] {
  const tasks: Record<string, () => void> = {};
  for (const batch of batches) {
    const obs = obsDims.map((d) => Float32Array.from({ length: batch * d }, (_, k) => Math.sin(k)));
    tasks[`b${batch}`] = () => {
      agent.act(obs, { deterministic: false });
    };
  }
  const results = measureLatencies(tasks, { ...options, warmupIterations: 2 });
  return batches.map((b) => results[`b${b}`]);
}
