/**
 * MATD3 (Ackermann et al. 2019, arXiv 1910.01465, on TD3, arXiv 1802.09477): the online learner of the behaviour policies
 * that build the offline datasets (spec §4.5, defaults spec §3.1 "Generator defaults"). Not an offline `AlgorithmDef`.
 * Per-agent actors π_i(o_i) (tanh output, last layer U(±3e-3)); centralised twin critics Q_i(o_1..o_n, a_1..a_n) over the
 * learned agents (Choice: Q_i(s, a_1..a_n) on the global state s with `criticState`, HalfCheetah's default); target
 * smoothing 0.2 clipped 0.5; actors and targets every 2nd critic update; Gaussian exploration.
 * Choice (spec §3.1): actor loss −Q_i,1 + 1e-3·mean(pre-tanh²), as the original MADDPG code.
 * Choice: in agent i's actor loss the other agents' actions are the batch's (MADDPG); the critic loss sums the two heads'
 * batch-mean MSEs onto y = r_i + γ(1 − d)·min_k Q̄_i,k (spec §4 table, row matd3).
 * Logged keys (means over agents): `critic/loss`, `critic/target` (mean y); on delayed steps also `actor/loss`, `actor/q`, `actor/penalty`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/rng.ts';
import type { AgentBatch, NamedWeights, StateBatch } from '../contracts/types.ts';
import { createActorCriticSet, type ActorCriticSet } from './nn/critic.ts';
import { createMlp, type Mlp } from './nn/mlp.ts';
import { copyVariables, polyakUpdate } from './nn/optim.ts';
import { criticRegressionLoss, tdTarget } from './nn/td.ts';
import { loadWeights, saveWeights } from './nn/weights.ts';
import { readAndDispose, readScalars } from './nn/readback.ts';
import { concatColumns } from './nn/columns.ts';

export interface Matd3Config {
  /** Hidden layer sizes of actors and critics (ReLU): [64, 64] MPE, [256, 256] HalfCheetah. */
  hidden: number[];
  /** Adam learning rate of actors and critics (> 0). */
  learningRate: number;
  /** γ in [0, 1]. */
  discount: number;
  /** Polyak rate of the target networks, in (0, 1]. */
  targetUpdateRate: number;
  /** Minibatch size sampled from the replay buffer. */
  batchSize: number;
  /** Std of the Gaussian exploration noise added to π(o) before clipping to [−1, 1]. */
  explorationNoise: number;
  /** Std of the target-policy smoothing noise. */
  targetNoise: number;
  /** The smoothing noise is clipped to ±targetNoiseClip. */
  targetNoiseClip: number;
  /** Actors and targets update every `policyDelay`-th critic update. */
  policyDelay: number;
  /** Weight of mean(pre-tanh²) in the actor loss. */
  actionPenalty: number;
  /**
   * Critics see the environment's global state instead of the concatenated observations (HalfCheetah: the agents' joint
   * readings leave out the root, whose forward velocity is the reward, so a critic on observations cannot see what it predicts).
   */
  criticState?: boolean;
}

/** spec §3.1 generator defaults per environment family. */
export const MATD3_PRESETS: Record<'mpe' | 'mujoco', Matd3Config> = {
  mpe: {
    hidden: [64, 64], learningRate: 0.01, discount: 0.95, targetUpdateRate: 0.01, batchSize: 1024,
    explorationNoise: 0.1, targetNoise: 0.2, targetNoiseClip: 0.5, policyDelay: 2, actionPenalty: 1e-3,
  },
  mujoco: {
    hidden: [256, 256], learningRate: 3e-4, discount: 0.99, targetUpdateRate: 0.005, batchSize: 256,
    explorationNoise: 0.1, targetNoise: 0.2, targetNoiseClip: 0.5, policyDelay: 2, actionPenalty: 1e-3, criticState: true,
  },
};

/** Observation and action length per learned agent, and the global state's length when the critics use it. */
export interface Matd3Space {
  obsDims: number[];
  actDims: number[];
  stateDim?: number;
}

/** A set of MATD3 learners over the learned agents of one task. */
export interface Matd3 {
  readonly config: Matd3Config;
  /**
   * One critic update per agent and, every `policyDelay`-th call, actor and target updates. Same rows for every agent;
   * `states` (s, s′ of those rows) is required when the space has a `stateDim`.
   */
  update(batch: AgentBatch[], states?: StateBatch): Promise<Record<string, number>>;
  /** Actions per learned agent, `B × actDims[i]`: π(o), plus clipped exploration noise when `explore`. */
  act(obs: Float32Array[], explore: boolean): Promise<Float32Array[]>;
  /** Every variable (actors, critics, targets). */
  save(): Promise<NamedWeights>;
  load(weights: NamedWeights): Promise<void>;
  /** The actors only: what a behaviour-policy checkpoint needs to act. */
  saveActors(): Promise<NamedWeights>;
  loadActors(weights: NamedWeights): Promise<void>;
  dispose(): void;
}

interface AgentNets extends ActorCriticSet {
  actor: Mlp;
  actorTarget: Mlp;
}

/** Builds agent i's networks; targets start as copies (names `agent<i>/<net>`, see nn/independent.ts). */
function createAgentNets(space: Matd3Space, i: number, config: Matd3Config, rng: Rng): AgentNets {
  const actorOptions = {
    inputDim: space.obsDims[i], hidden: config.hidden, outputDim: space.actDims[i],
    activation: 'relu' as const, outputInitScale: 3e-3,
  };
  const criticOptions = {
    obsDim: space.stateDim ?? sum(space.obsDims), actDim: sum(space.actDims), hidden: config.hidden, heads: 2, activation: 'relu' as const,
  };
  const actor = createMlp(actorOptions, rng.fork('actor'), `agent${i}/actor`);
  const actorTarget = createMlp(actorOptions, rng.fork('actor_target'), `agent${i}/actor_target`);
  copyVariables(actorTarget.variables, actor.variables);
  return { actor, actorTarget, ...createActorCriticSet(actor.variables, criticOptions, config.learningRate, rng, `agent${i}`) };
}

/** a' = clip(π̄(o') + clip(N(0, σ²), ±c), −1, 1) (TD3 target policy smoothing). Caller owns the result. */
function smoothedTargetAction(actorTarget: Mlp, nextObs: tf.Tensor2D, config: Matd3Config, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const mean = tf.tanh(actorTarget.forward(nextObs));
    const noise = tf.clipByValue(
      tf.randomNormal(mean.shape, 0, config.targetNoise, 'float32', seed), -config.targetNoiseClip, config.targetNoiseClip,
    );
    return tf.clipByValue(tf.add(mean, noise), -1, 1) as tf.Tensor2D;
  });
}

/**
 * L_Q_i = Σ_k mean_B (Q_i,k(o, a) − y)², y = r_i + γ(1 − d)·min_k Q̄_i,k(o', a') (spec §4 "Common", row matd3). `joint` holds
 * the concatenated observations and batch actions of all learned agents with agent i's reward; `nextActs` is the smoothed a'.
 */
function criticLoss(nets: AgentNets, joint: AgentBatch, nextActs: tf.Tensor2D, config: Matd3Config) {
  const target = tdTarget(nets.criticTarget, joint, nextActs, config.discount, 'min');
  return { loss: criticRegressionLoss(nets.critic, joint.obs, joint.acts, target, 'sum'), extras: { 'critic/target': tf.mean(target) as tf.Scalar } };
}

/**
 * L_π_i = −mean Q_i,1(o, a_1..π_i(o_i)..a_n) + λ·mean(pre-tanh²) (spec §3.1); only actor i's variables take the step.
 * `batchActs` are the batch's actions per agent; agent i's is replaced by its actor's.
 */
function actorLoss(nets: AgentNets, i: number, batch: AgentBatch[], jointObs: tf.Tensor2D, config: Matd3Config) {
  const preTanh = nets.actor.forward(batch[i].obs);
  const acts = batch.map((b, j) => (j === i ? tf.tanh(preTanh) : b.acts));
  // Only the first head enters the actor loss (TD3); evaluating it alone saves the second head's forward and backward.
  const q = tf.mean(nets.critic.heads[0].forward(concatColumns([jointObs, ...acts]))) as tf.Scalar;
  const penalty = tf.mean(tf.square(preTanh)) as tf.Scalar;
  return { loss: tf.add(tf.neg(q), tf.mul(config.actionPenalty, penalty)) as tf.Scalar, extras: { 'actor/q': q, 'actor/penalty': penalty } };
}

/**
 * A part's answer, asked for now and awaited later: a part on another thread works in between, and so does the device
 * while this thread's results come back.
 */
export type Later<T> = () => Promise<T>;

/**
 * The learners of some of the agents (`owned`: ascending, contiguous), so that the agents of one task can learn on separate
 * threads (harness/data/matd3-threads.ts); `createMatd3` runs one part that owns them all. Every agent's networks come
 * from its own fork of the rng, and each part draws every agent's target-noise seed in order, so a part computes for its
 * agents exactly what the whole learner does: within an update agent i reads only its own networks and the joint a'.
 */
export interface Matd3Part {
  readonly owned: readonly number[];
  /** The smoothed target actions a'_j of the owned agents on the batch's next observations (one per owned agent). */
  targetActions(batch: AgentBatch[], states?: StateBatch): Later<tf.Tensor2D[]>;
  /**
   * One critic step per owned agent and, every `policyDelay`-th call, its actor step and Polyak targets, on the batch of
   * the last `targetActions` call; `nextActs` is every agent's a' side by side. One loss record per owned agent.
   */
  learn(nextActs: tf.Tensor2D): Later<Record<string, number>[]>;
  /** tanh π_j(o_j) of the owned agents (`obs` holds every agent's), without noise. */
  actorMeans(obs: Float32Array[]): Later<Float32Array[]>;
  save(actorsOnly: boolean): Later<NamedWeights>;
  load(weights: NamedWeights, actorsOnly: boolean): Later<void>;
  dispose(): void;
}

/** The part of the learner that owns agents `owned` (see `Matd3Part`), on this thread. */
export function createMatd3Part(space: Matd3Space, config: Matd3Config, rng: Rng, owned: readonly number[]): Matd3Part {
  const agents = owned.map((i) => createAgentNets(space, i, config, rng.fork(`agent${i}`)));
  const targetNoiseRng = rng.fork('target_noise');
  const allVariables = () =>
    agents.flatMap((a) => [...a.actor.variables, ...a.actorTarget.variables, ...a.critic.variables, ...a.criticTarget.variables]);
  const variables = (actorsOnly: boolean) => (actorsOnly ? agents.flatMap((a) => a.actor.variables) : allVariables());
  let criticUpdates = 0;
  let pending: { batch: AgentBatch[]; states?: StateBatch } | undefined;

  const targetActions = (batch: AgentBatch[], states?: StateBatch): Later<tf.Tensor2D[]> => {
    if (space.stateDim !== undefined && !states) throw new Error('matd3: the critics condition on the global state, but the batch has none');
    pending = { batch, states };
    const seeds = space.obsDims.map(() => targetNoiseRng.nextSeed()); // every agent's, in agent order
    const out = agents.map((a, k) => smoothedTargetAction(a.actorTarget, batch[owned[k]].nextObs, config, seeds[owned[k]]));
    return async () => out;
  };

  const learn = (nextActs: tf.Tensor2D): Later<Record<string, number>[]> => {
    if (!pending) throw new Error('matd3: learn() before targetActions()');
    const { batch, states } = pending;
    pending = undefined;
    criticUpdates++;
    const delayed = criticUpdates % config.policyDelay === 0;
    // The critics' input: the global state (copied so that the disposal below is uniform) or the concatenated observations.
    const jointObs = space.stateDim !== undefined ? states!.states.clone() : concatColumns(batch.map((b) => b.obs));
    const jointActs = concatColumns(batch.map((b) => b.acts));
    const jointNextObs = space.stateDim !== undefined ? states!.nextStates.clone() : concatColumns(batch.map((b) => b.nextObs));
    const losses = agents.map((nets, k) => {
      const i = owned[k];
      const joint: AgentBatch = { obs: jointObs, acts: jointActs, rews: batch[i].rews, nextObs: jointNextObs, dones: batch[i].dones };
      const critic = nets.criticOptimizer.step('critic/loss', () => criticLoss(nets, joint, nextActs, config));
      // Actor i after critic i: critic parameters are not updated by the actor loss (the optimiser holds actor i's only).
      return delayed ? { ...critic, ...nets.actorOptimizer.step('actor/loss', () => actorLoss(nets, i, batch, jointObs, config)) } : critic;
    });
    if (delayed) {
      for (const nets of agents) {
        polyakUpdate(nets.actorTarget.variables, nets.actor.variables, config.targetUpdateRate);
        polyakUpdate(nets.criticTarget.variables, nets.critic.variables, config.targetUpdateRate);
      }
    }
    tf.dispose([jointObs, jointActs, jointNextObs]);
    const read = Promise.all(losses.map(readScalars));
    return () => read;
  };

  const actorMeans = (obs: Float32Array[]): Later<Float32Array[]> => {
    const out = agents.map((nets, k) => {
      const i = owned[k];
      const rows = obs[i].length / space.obsDims[i];
      return tf.tidy(() => tf.tanh(nets.actor.forward(tf.tensor2d(obs[i], [rows, space.obsDims[i]]))));
    });
    const read = readAndDispose(out);
    return () => read;
  };

  return {
    owned,
    targetActions,
    learn,
    actorMeans,
    save: (actorsOnly) => {
      const weights = saveWeights(variables(actorsOnly));
      return () => weights;
    },
    load: (weights, actorsOnly) => {
      loadWeights(variables(actorsOnly), weights);
      return async () => undefined;
    },
    dispose: () => {
      tf.dispose(allVariables());
      for (const a of agents) {
        a.actorOptimizer.dispose();
        a.criticOptimizer.dispose();
      }
    },
  };
}

/** MATD3 over every learned agent, on this thread. */
export function createMatd3(space: Matd3Space, config: Matd3Config, rng: Rng): Matd3 {
  return composeMatd3(space, config, rng, [createMatd3Part(space, config, rng, space.obsDims.map((_, i) => i))]);
}

/**
 * One learner from parts that own consecutive blocks of the agents, in agent order. The parts after the first may run on
 * other threads: each question goes to the last part first, so that they work while the first (this thread's) computes.
 * Losses are summed agent by agent in agent order and exploration noise is drawn agent by agent, as by one part.
 */
export function composeMatd3(space: Matd3Space, config: Matd3Config, rng: Rng, parts: Matd3Part[]): Matd3 {
  const order = parts.flatMap((p) => p.owned);
  if (order.length !== space.obsDims.length || order.some((i, k) => i !== k)) {
    throw new Error(`matd3: the parts own agents [${order}], not each of 0..${space.obsDims.length - 1} once in order`);
  }
  const explorationRng = rng.fork('exploration');
  const ask = async <T>(question: (part: Matd3Part) => Later<T>): Promise<T[]> => {
    const answers = [...parts].reverse().map(question).reverse(); // asked last part first, kept in part order
    const out: T[] = [];
    for (const answer of answers) out.push(await answer());
    return out;
  };

  const update = async (batch: AgentBatch[], states?: StateBatch): Promise<Record<string, number>> => {
    const targets = (await ask((p) => p.targetActions(batch, states))).flat();
    const nextActs = concatColumns(targets);
    tf.dispose(targets);
    const losses = (await ask((p) => p.learn(nextActs))).flat();
    nextActs.dispose();
    const sums: Record<string, number> = {};
    for (const record of losses) {
      for (const [k, v] of Object.entries(record)) sums[k] = (sums[k] ?? 0) + v / losses.length;
    }
    return sums;
  };

  const act = async (obs: Float32Array[], explore: boolean): Promise<Float32Array[]> => {
    const actions = (await ask((p) => p.actorMeans(obs))).flat();
    if (explore) {
      for (const a of actions) {
        for (let k = 0; k < a.length; k++) a[k] = Math.min(1, Math.max(-1, a[k] + config.explorationNoise * explorationRng.normal()));
      }
    }
    return actions;
  };

  const merged = async (actorsOnly: boolean): Promise<NamedWeights> => Object.assign({}, ...(await ask((p) => p.save(actorsOnly))));
  const loaded = async (weights: NamedWeights, actorsOnly: boolean): Promise<void> => void (await ask((p) => p.load(weights, actorsOnly)));

  return {
    config,
    update,
    act,
    save: () => merged(false),
    load: (weights) => loaded(weights, false),
    saveActors: () => merged(true),
    loadActors: (weights) => loaded(weights, true),
    dispose: () => {
      for (const p of parts) p.dispose();
    },
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * MATD3 as the dataset builder's behaviour learner, registered in the registry like the algorithms: its presets per
 * environment family (an environment's dataset presets name one) and its constructors, whole and in parts for threads.
 */
export const matd3Behaviour = {
  name: 'matd3',
  description: 'online MATD3 with centralised twin critics: the behaviour policies of the datasets (spec §3.1, §4.5)',
  presets: MATD3_PRESETS,
  create: createMatd3,
  createPart: createMatd3Part,
  compose: composeMatd3,
} as const;
