/**
 * Independent learners (spec §4: one actor and one critic set per agent, decentralised critics): turns one `Learner` per
 * learned agent into the harness's `Agent`. Losses are averaged over agents under the learner's keys.
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, AgentBatch, AgentSpace, NamedWeights } from '../../contracts/types.ts';
import { loadWeights, saveWeights } from './weights.ts';

/** One agent's learner. Variable names must start with `agent<i>/` so saved weights stay distinct. */
export interface Learner {
  /** One update on this agent's minibatch; returns named losses. */
  update(batch: AgentBatch): Record<string, number>;
  /** obs: B × obsDim → actions B × actDim in [−1, 1]. The caller owns the result. */
  act(obs: tf.Tensor2D, deterministic: boolean): tf.Tensor2D;
  /** Every variable that defines the learner (saved and loaded). */
  readonly variables: tf.Variable[];
  dispose(): void;
}

export function independentAgents(
  space: AgentSpace,
  makeLearner: (agentIndex: number) => Learner,
  networkEvalsPerAction: number,
): Agent {
  const learners = space.obsDims.map((_, i) => makeLearner(i));
  const allVariables = () => learners.flatMap((l) => l.variables);
  return {
    networkEvalsPerAction,
    update(batch: AgentBatch[]): Record<string, number> {
      const sums: Record<string, number> = {};
      learners.forEach((learner, i) => {
        for (const [key, value] of Object.entries(learner.update(batch[i]))) sums[key] = (sums[key] ?? 0) + value;
      });
      for (const key of Object.keys(sums)) sums[key] /= learners.length;
      return sums;
    },
    act(obs: Float32Array[], { deterministic }): Float32Array[] {
      return learners.map((learner, i) => {
        const rows = obs[i].length / space.obsDims[i];
        const input = tf.tensor2d(obs[i], [rows, space.obsDims[i]]);
        const action = learner.act(input, deterministic);
        const values = action.dataSync() as Float32Array;
        tf.dispose([input, action]);
        return values;
      });
    },
    save: (): NamedWeights => saveWeights(allVariables()),
    load: (weights: NamedWeights) => loadWeights(allVariables(), weights),
    dispose: () => learners.forEach((l) => l.dispose()),
  };
}
