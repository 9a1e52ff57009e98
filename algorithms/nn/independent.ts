/**
 * Independent learners (spec §4: one actor and one critic set per agent, decentralised critics): turns one `Learner` per
 * learned agent into the harness's `Agent`. Losses are averaged over agents under the learner's keys.
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, AgentBatch, AgentSpace, NamedWeights } from '../../contracts/types.ts';
import { readAndDispose } from './readback.ts';
import { loadWeights, saveWeights } from './weights.ts';

/** One agent's learner. Variable names must start with `agent<i>/` so saved weights stay distinct. */
export interface Learner {
  /**
   * One update on this agent's minibatch; returns named losses. Every kernel is issued before the first `await` (the
   * losses' read), so the next agent's update is issued while this one's losses are on their way back.
   */
  update(batch: AgentBatch): Promise<Record<string, number>>;
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
    async update(batch: AgentBatch[]): Promise<Record<string, number>> {
      const perAgent = await Promise.all(learners.map((learner, i) => learner.update(batch[i])));
      const sums: Record<string, number> = {};
      for (const losses of perAgent) {
        for (const [key, value] of Object.entries(losses)) sums[key] = (sums[key] ?? 0) + value;
      }
      for (const key of Object.keys(sums)) sums[key] /= learners.length;
      return sums;
    },
    act(obs: Float32Array[], { deterministic }): Promise<Float32Array[]> {
      const actions = learners.map((learner, i) => {
        const rows = obs[i].length / space.obsDims[i];
        const input = tf.tensor2d(obs[i], [rows, space.obsDims[i]]);
        const action = learner.act(input, deterministic);
        input.dispose();
        return action;
      });
      return readAndDispose(actions);
    },
    save: (): Promise<NamedWeights> => saveWeights(allVariables()),
    load: (weights: NamedWeights) => loadWeights(allVariables(), weights),
    dispose: () => learners.forEach((l) => l.dispose()),
  };
}
