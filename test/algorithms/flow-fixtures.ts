/**
 * Synthetic single-agent problems for the flow-family algorithm tests (om2p, flow, fql): batches built directly as tensors,
 * no environment or dataset. Every batch uses a constant observation so the policy is a distribution over actions only.
 */
import * as tf from '@tensorflow/tfjs';
import type { AgentBatch, AlgorithmDef, Agent } from '../../contracts/types.ts';
import { createRng, type Rng } from '../../contracts/rng.ts';
import { leakedTensors } from '../helpers/backend.ts';
import { banditBatch, OBS, oneStepBatch, singleAgentSpace } from '../helpers/synthetic-batches.ts';

export { banditBatch, OBS, singleAgentSpace };

/** Bimodal actions: half at (−0.6, 0.2), half at (+0.6, 0.2), each plus N(0, 0.05²); reward 0. */
export function bimodalBatch(rng: Rng, rows: number): AgentBatch {
  const acts = new Float32Array(rows * 2);
  for (let k = 0; k < rows; k++) {
    acts[2 * k] = (k % 2 === 0 ? -0.6 : 0.6) + 0.05 * rng.normal();
    acts[2 * k + 1] = 0.2 + 0.05 * rng.normal();
  }
  return oneStepBatch(acts, new Float32Array(rows), 2);
}

export type BatchMaker = (rng: Rng, rows: number) => AgentBatch;

/** Trains a fresh agent for `updates` steps on fresh batches; returns it with the loss records of every step. */
export async function train<C extends { batchSize: number }>(
  def: AlgorithmDef<C>,
  overrides: Partial<C>,
  makeBatch: BatchMaker,
  updates: number,
  seed = 1,
): Promise<{ agent: Agent; losses: Record<string, number>[] }> {
  const config = { ...def.defaults, ...overrides };
  const actDim = makeBatch(createRng(0), 1);
  const space = singleAgentSpace(actDim.acts.shape[1]);
  tf.dispose(Object.values(actDim));
  const agent = def.create(space, config, createRng(seed));
  const dataRng = createRng(seed).fork('data');
  const losses: Record<string, number>[] = [];
  for (let k = 0; k < updates; k++) {
    const batch = makeBatch(dataRng, config.batchSize);
    losses.push(await agent.update([batch]));
    tf.dispose(Object.values(batch));
  }
  return { agent, losses };
}

/** `n` stochastic actions of the trained agent at the constant observation, as rows of length actDim. */
export async function sampleActions(agent: Agent, n: number, actDim: number): Promise<number[][]> {
  const obs = new Float32Array(n * OBS.length).map((_, k) => OBS[k % OBS.length]);
  const [flat] = await agent.act([obs], { deterministic: false });
  return Array.from({ length: n }, (_, k) => Array.from(flat.subarray(k * actDim, (k + 1) * actDim)));
}

/** Tensors left behind by one update after a warm-up update (optimiser slots are created on the first step). */
export async function leakPerUpdate<C extends { batchSize: number }>(def: AlgorithmDef<C>, overrides: Partial<C>): Promise<number> {
  const { agent } = await train(def, overrides, bimodalBatch, 1);
  const batch = bimodalBatch(createRng(5), 16);
  const leaked = await leakedTensors(() => agent.update([batch]));
  const leakedByAct = await leakedTensors(() => agent.act([new Float32Array(4 * OBS.length)], { deterministic: false }));
  tf.dispose(Object.values(batch));
  agent.dispose();
  return leaked + leakedByAct;
}

export function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Distance from a* of the mean sampled action after training on the bandit with reward −|a − a*|². */
export async function banditDistance<C extends { batchSize: number }>(
  def: AlgorithmDef<C>,
  overrides: Partial<C>,
  aStar: number[],
  updates: number,
): Promise<number> {
  const { agent } = await train(def, overrides, (rng, rows) => banditBatch(rng, rows, aStar), updates);
  const actions = await sampleActions(agent, 500, aStar.length);
  agent.dispose();
  return Math.hypot(...aStar.map((s, j) => mean(actions.map((row) => row[j])) - s));
}

/** Loss records of two 3-update runs with the same seed on the current backend (for determinism checks). */
export async function sameSeedLossesTwice<C extends { batchSize: number }>(
  def: AlgorithmDef<C>,
  overrides: Partial<C>,
): Promise<Record<string, number>[][]> {
  const runs = [];
  for (let k = 0; k < 2; k++) {
    const { agent, losses } = await train(def, { ...overrides, batchSize: 32 }, bimodalBatch, 3, 9);
    agent.dispose();
    runs.push(losses);
  }
  return runs;
}
