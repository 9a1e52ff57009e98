/**
 * Episode-contiguous transition storage for the dataset builder (spec §3.1): MATD3's replay buffer while the behaviour
 * policy trains, and the collection buffer of every dataset level. B copies run whole episodes in lockstep; copy b of an
 * episode block writes its L steps at rows `base + b·L … base + b·L + L − 1`, so any prefix of whole episodes is a valid
 * OMAR-layout dataset (25-step chunks for MPE). Every environment agent is stored, the prey as agent n − 1.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../contracts/rng.ts';
import type { AgentBatch, AgentTransitions, EnvSpec, StateBatch, StepResult } from '../../contracts/types.ts';
import type { StateArrays } from './write.ts';

/** Whole episodes cut out of a store: what `writeDataset` takes, plus every episode's return. */
export interface Episodes {
  agents: AgentTransitions[];
  states?: StateArrays;
  /** Σ over the episode of the environment's `evalReward`, one per episode. */
  episodeReturns: number[];
}

export class TransitionStore {
  readonly spec: EnvSpec;
  readonly capacityEpisodes: number;
  readonly #length: number;
  readonly #data: AgentTransitions[];
  readonly #states?: StateArrays;
  readonly #returns: Float64Array;
  /** Episodes fully written. */
  #episodes = 0;
  /** Copies in the block being written and the steps each has written. */
  #blockCopies = 0;
  #blockSteps = 0;

  constructor(spec: EnvSpec, capacityEpisodes: number) {
    this.spec = spec;
    this.capacityEpisodes = capacityEpisodes;
    this.#length = spec.episodeLength;
    const rows = capacityEpisodes * spec.episodeLength;
    this.#data = spec.obsDims.map((obsDim, i) => ({
      obs: new Float32Array(rows * obsDim),
      acts: new Float32Array(rows * spec.actDims[i]),
      rews: new Float32Array(rows),
      nextObs: new Float32Array(rows * obsDim),
      dones: new Float32Array(rows), // spec §3.1: a time limit is not a terminal; dones stay 0
    }));
    if (spec.stateDim) {
      const dim = spec.stateDim;
      this.#states = { states: new Float32Array(rows * dim), nextStates: new Float32Array(rows * dim), dim };
    }
    this.#returns = new Float64Array(capacityEpisodes);
  }

  /** Whole episodes written so far. */
  get episodes(): number {
    return this.#episodes;
  }

  /** Transitions written so far, the block in progress included. */
  get transitions(): number {
    return this.#episodes * this.#length + this.#blockCopies * this.#blockSteps;
  }

  /** Starts a block of `copies` episodes (the first `copies` environment copies are recorded). */
  beginEpisodes(copies: number): void {
    if (this.#blockCopies > 0) throw new Error('the previous episode block is not finished');
    if (this.#episodes + copies > this.capacityEpisodes) {
      throw new RangeError(`store holds ${this.capacityEpisodes} episodes; ${this.#episodes} + ${copies} do not fit`);
    }
    this.#blockCopies = copies;
    this.#blockSteps = 0;
  }

  /**
   * Records one step of the block: `obs` (and `state`) before the step, `result` after it. Arrays are `B × dim` per
   * environment agent with B ≥ the block's copies.
   */
  record(obs: Float32Array[], result: StepResult, state?: Float32Array): void {
    if (this.#blockCopies === 0) throw new Error('record() outside an episode block');
    const t = this.#blockSteps;
    this.#data.forEach((agent, i) => {
      const o = this.spec.obsDims[i];
      const a = this.spec.actDims[i];
      for (let b = 0; b < this.#blockCopies; b++) {
        const row = this.#row(b, t);
        agent.obs.set(obs[i].subarray(b * o, (b + 1) * o), row * o);
        agent.acts.set(result.actions[i].subarray(b * a, (b + 1) * a), row * a);
        agent.rews[row] = result.rewards[i][b];
        agent.nextObs.set(result.obs[i].subarray(b * o, (b + 1) * o), row * o);
      }
    });
    if (this.#states) {
      if (!state || !result.state) throw new Error(`${this.spec.taskId} has a global state but none was recorded`);
      const d = this.#states.dim;
      for (let b = 0; b < this.#blockCopies; b++) {
        this.#states.states.set(state.subarray(b * d, (b + 1) * d), this.#row(b, t) * d);
        this.#states.nextStates.set(result.state.subarray(b * d, (b + 1) * d), this.#row(b, t) * d);
      }
    }
    for (let b = 0; b < this.#blockCopies; b++) this.#returns[this.#episodes + b] += result.evalReward[b];
    this.#blockSteps++;
    if (this.#blockSteps === this.#length) {
      this.#episodes += this.#blockCopies;
      this.#blockCopies = 0;
    }
  }

  /** Returns of the whole episodes `[from, to)`. */
  episodeReturns(from = 0, to = this.#episodes): number[] {
    return Array.from(this.#returns.subarray(from, to));
  }

  /** Copies of the whole episodes `[from, to)` (episode-contiguous rows). */
  slice(from: number, to: number): Episodes {
    if (from < 0 || to > this.#episodes || from > to) throw new RangeError(`episodes [${from}, ${to}) are not all written (${this.#episodes})`);
    const [r0, r1] = [from * this.#length, to * this.#length];
    const cut = (values: Float32Array, width: number) => values.slice(r0 * width, r1 * width);
    const agents = this.#data.map((a, i) => ({
      obs: cut(a.obs, this.spec.obsDims[i]),
      acts: cut(a.acts, this.spec.actDims[i]),
      rews: cut(a.rews, 1),
      nextObs: cut(a.nextObs, this.spec.obsDims[i]),
      dones: cut(a.dones, 1),
    }));
    const s = this.#states;
    const states = s ? { states: cut(s.states, s.dim), nextStates: cut(s.nextStates, s.dim), dim: s.dim } : undefined;
    return { agents, states, episodeReturns: this.episodeReturns(from, to) };
  }

  /** Appends whole episodes (restoring a cached replay buffer). */
  append(episodes: Episodes): void {
    const count = episodes.episodeReturns.length;
    this.beginEpisodes(count);
    const r0 = this.#episodes * this.#length;
    this.#data.forEach((a, i) => {
      const src = episodes.agents[i];
      a.obs.set(src.obs, r0 * this.spec.obsDims[i]);
      a.acts.set(src.acts, r0 * this.spec.actDims[i]);
      a.rews.set(src.rews, r0);
      a.nextObs.set(src.nextObs, r0 * this.spec.obsDims[i]);
    });
    if (this.#states && episodes.states) {
      this.#states.states.set(episodes.states.states, r0 * this.#states.dim);
      this.#states.nextStates.set(episodes.states.nextStates, r0 * this.#states.dim);
    }
    this.#returns.set(episodes.episodeReturns, this.#episodes);
    this.#episodes += count;
    this.#blockCopies = 0;
  }

  /**
   * A uniform minibatch over every transition written (the block in progress included), the same rows for every
   * agent in `agents` (spec §4 "Common"), with the global states of those rows when the task has one. The caller owns the tensors.
   */
  sample(rows: number, rng: Rng, agents: number[]): { agents: AgentBatch[]; states?: StateBatch } {
    const available = this.transitions;
    if (available === 0) throw new Error('cannot sample from an empty store');
    const index = new Int32Array(rows);
    const whole = this.#episodes * this.#length;
    for (let k = 0; k < rows; k++) {
      const draw = rng.int(available);
      // Draws past the whole episodes fall into the block in progress: copy ⌊j / steps⌋, step j mod steps.
      index[k] = draw < whole ? draw : this.#row(Math.floor((draw - whole) / this.#blockSteps), (draw - whole) % this.#blockSteps);
    }
    const s = this.#states;
    const states = s && {
      states: tf.tensor2d(gatherRows(s.states, index, s.dim), [rows, s.dim]),
      nextStates: tf.tensor2d(gatherRows(s.nextStates, index, s.dim), [rows, s.dim]),
    };
    const batches = agents.map((i) => {
      const a = this.#data[i];
      const [o, d] = [this.spec.obsDims[i], this.spec.actDims[i]];
      return {
        obs: tf.tensor2d(gatherRows(a.obs, index, o), [rows, o]),
        acts: tf.tensor2d(gatherRows(a.acts, index, d), [rows, d]),
        rews: tf.tensor2d(gatherRows(a.rews, index, 1), [rows, 1]),
        nextObs: tf.tensor2d(gatherRows(a.nextObs, index, o), [rows, o]),
        dones: tf.tensor2d(gatherRows(a.dones, index, 1), [rows, 1]),
      };
    });
    return { agents: batches, states };
  }

  #row(copy: number, step: number): number {
    return (this.#episodes + copy) * this.#length + step;
  }
}

function gatherRows(values: Float32Array, index: Int32Array, width: number): Float32Array {
  const out = new Float32Array(index.length * width);
  for (let k = 0; k < index.length; k++) out.set(values.subarray(index[k] * width, (index[k] + 1) * width), k * width);
  return out;
}
