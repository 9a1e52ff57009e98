/**
 * Independent learners (SPEC §4: one actor and one critic set per agent, decentralised critics): turns one `Learner` per
 * learned agent — or per group of agents of equal dims updated together, still each with its own networks — into the
 * harness's `Agent`. Losses are averaged over agents under the learner's keys.
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, AgentBatch, AgentSpace, NamedWeights } from '../../harness/types.ts';
import { concatArrays } from './agent-group.ts';
import { loadWeights, saveWeights } from './weights.ts';

/** The learner of one group of agents (one agent, or several of equal dims, nn/agent-group.ts). */
export interface Learner {
  /** One update on its agents' minibatches, row-stacked in agent order; returns named losses summed over its agents. */
  update(batch: AgentBatch): Record<string, number>;
  /** obs: its agents' observations row-stacked → actions in [−1, 1], stacked alike. The caller owns the result. */
  act(obs: tf.Tensor2D, deterministic: boolean): tf.Tensor2D;
  /** Every variable that defines the learner (saved and loaded); names start with `agent<i>/`. */
  readonly variables: tf.Variable[];
  dispose(): void;
}

/** One learner per agent. */
export function independentAgents(
  space: AgentSpace,
  makeLearner: (agentIndex: number) => Learner,
  networkEvalsPerAction: number,
): Agent {
  return groupedAgents(space, space.obsDims.map((_, i) => [i]), ([i]) => makeLearner(i), networkEvalsPerAction);
}

/**
 * The agents of each group `groups[g]` (indices, in row-block order) served by one learner: their batches and observations
 * row-stacked, actions split back per agent. Losses are averaged over all agents (each learner returns its agents' sums).
 */
export function groupedAgents(
  space: AgentSpace,
  groups: number[][],
  makeLearner: (agents: number[]) => Learner,
  networkEvalsPerAction: number,
): Agent {
  const learners = groups.map(makeLearner);
  // Agent by agent (a stable sort keeps each agent's own order), as one learner per agent lists them.
  const allVariables = () => learners.flatMap((l) => l.variables).sort((a, b) => agentIndex(a) - agentIndex(b));
  return {
    networkEvalsPerAction,
    update(batch: AgentBatch[]): Record<string, number> {
      const sums: Record<string, number> = {};
      learners.forEach((learner, g) => {
        const stacked = stackBatches(groups[g].map((i) => batch[i]));
        for (const [key, value] of Object.entries(learner.update(stacked))) sums[key] = (sums[key] ?? 0) + value;
        if (groups[g].length > 1) tf.dispose(Object.values(stacked));
      });
      for (const key of Object.keys(sums)) sums[key] /= space.obsDims.length;
      return sums;
    },
    act(obs: Float32Array[], { deterministic }): Float32Array[] {
      const actions: Float32Array[] = [];
      learners.forEach((learner, g) => {
        const agents = groups[g];
        const [obsDim, actDim] = [space.obsDims[agents[0]], space.actDims[agents[0]]];
        const rows = obs[agents[0]].length / obsDim;
        if (agents.some((i) => obs[i].length !== rows * obsDim)) {
          throw new Error(`act: agents ${agents.join(', ')} share a learner and need the same number of observation rows`);
        }
        const input = tf.tensor2d(agents.length === 1 ? obs[agents[0]] : concatArrays(agents.map((i) => obs[i])), [rows * agents.length, obsDim]);
        const action = learner.act(input, deterministic);
        const values = action.dataSync() as Float32Array;
        agents.forEach((i, k) => (actions[i] = agents.length === 1 ? values : values.slice(k * rows * actDim, (k + 1) * rows * actDim)));
        tf.dispose([input, action]);
      });
      return actions;
    },
    save: (): NamedWeights => saveWeights(allVariables()),
    load: (weights: NamedWeights) => loadWeights(allVariables(), weights),
    dispose: () => learners.forEach((l) => l.dispose()),
  };
}

/**
 * The learned agents grouped by equal (obsDim, actDim), in order of each group's first agent, at most `maxSize` per group
 * (the rest start a new group).
 */
export function groupsOfEqualDims(space: AgentSpace, maxSize: number): number[][] {
  const groups: number[][] = [];
  const open = new Map<string, number[]>();
  space.obsDims.forEach((obsDim, i) => {
    const key = `${obsDim}x${space.actDims[i]}`;
    let group = open.get(key);
    if (!group || group.length >= maxSize) {
      group = [];
      groups.push(group);
      open.set(key, group);
    }
    group.push(i);
  });
  return groups;
}

function agentIndex(variable: tf.Variable): number {
  return Number(/^agent(\d+)\//.exec(variable.name)?.[1] ?? Number.MAX_SAFE_INTEGER);
}

/** One batch with the agents' rows stacked in order (a single batch as it is; otherwise the caller owns the result). */
function stackBatches(batches: AgentBatch[]): AgentBatch {
  if (batches.length === 1) return batches[0];
  const join = (key: keyof AgentBatch) => tf.concat(batches.map((b) => b[key]), 0) as tf.Tensor2D;
  return { obs: join('obs'), acts: join('acts'), rews: join('rews'), nextObs: join('nextObs'), dones: join('dones') };
}
