/**
 * What om2p, flow and fql share (spec §4 "Common", §4.1, §4.3): noise and flow-time sampling, the interpolation
 * `x_τ = (1 − τ)ε + τa`, Euler integration of a velocity field, the normalised Q term `L_Q = −mean(Q̄)·sg(1/mean|Q̄|)`,
 * the twin critic with its TD step, and the learner that orders one update.
 * **Choice** (update order): the code release evaluates actor and critic losses at the same pre-update parameters, takes one
 * Adam step on their sum and Polyak-updates from the pre-step critic. Adam is element-wise and the two losses touch disjoint
 * variables, so two optimisers reproduce that step exactly when the next actions and the TD target are computed first, the actor
 * steps against the not-yet-updated critic, the target moves towards the pre-step critic, and only then the critic steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/rng.ts';
import type { Agent, AgentBatch, AgentSpace, JsonSchema } from '../contracts/types.ts';
import { aggregateHeads, createActorCriticSet, type Critic } from './nn/critic.ts';
import { createMlp, type Mlp } from './nn/mlp.ts';
import { independentAgents, type Learner } from './nn/independent.ts';
import { polyakUpdate } from './nn/optim.ts';
import { readScalars } from './nn/readback.ts';
import { criticRegressionLoss, tdTarget } from './nn/td.ts';
import { configKeySchemas, configSchema } from './nn/config-schema.ts';
import { meanSquaredError } from './nn/losses.ts';
import { concatColumns } from './nn/columns.ts';

/** Config keys every flow-family algorithm has. */
export interface FlowCommonConfig {
  /** Minibatch size per agent, read by the harness's sampler (spec §4: 256). */
  batchSize: number;
  /** Adam learning rate of actor and critic (spec §4: 3e-4). */
  learningRate: number;
  /** γ of the TD target, in [0, 1]. */
  discount: number;
  /** Polyak rate of the target critic, in (0, 1]. */
  targetUpdateRate: number;
  /** Hidden layer sizes of every network (actor nets and each critic head). */
  hidden: number[];
  /** Divide the Q term by sg(mean|Q̄|) (spec §4 **Choice**: on). */
  normaliseQ: boolean;
  /** How the TD target combines the target heads (spec §4 table: mean). */
  criticAggregation: 'mean' | 'min';
}

export const flowCommonDefaults: FlowCommonConfig = {
  batchSize: 256,
  learningRate: 3e-4,
  discount: 0.99,
  targetUpdateRate: 0.005,
  hidden: [64, 64],
  normaliseQ: true,
  criticAggregation: 'mean',
};

/** The paper-scale preset shared by om2p, flow and fql (spec §4 "Paper-scale settings"). */
export const flowPaperPreset: Partial<FlowCommonConfig> = { hidden: [512, 512, 512, 512], batchSize: 256 };

/** JSON Schema of a flow-family config: the shared keys plus `properties`; every key of `defaults` required, no others. */
export function flowConfigSchema(defaults: object, properties: Record<string, JsonSchema>): JsonSchema {
  return configSchema(defaults, { ...flowCommonSchemaProperties, ...properties });
}

const flowCommonSchemaProperties: Record<string, JsonSchema> = {
  batchSize: configKeySchemas.batchSize,
  learningRate: configKeySchemas.learningRate,
  discount: configKeySchemas.discount,
  targetUpdateRate: configKeySchemas.targetUpdateRate,
  hidden: configKeySchemas.layers,
  normaliseQ: { type: 'boolean' },
  criticAggregation: { enum: ['mean', 'min'] },
};

// ---------------------------------------------------------------- noise, times, interpolation

/** ε ~ N(0, I), rows × dim, seeded from `rng` (zeros when `zero`, i.e. deterministic acting). Caller owns the result. */
export function gaussianNoise(rng: Rng, rows: number, dim: number, zero = false): tf.Tensor2D {
  return zero ? tf.zeros([rows, dim]) : tf.randomNormal([rows, dim], 0, 1, 'float32', rng.nextSeed());
}

/** Distribution of a flow time in [0, 1] (spec §4.1 "Generalised timestep distribution"). */
export type TimeDistribution =
  | { kind: 'uniform' }
  | { kind: 'exp'; scale: number }
  | { kind: 'logitNormal'; mean: number; std: number }
  | { kind: 'beta'; a: number; b: number };

/**
 * One draw. `exp` is one-sided: near 0 for the start time (`clip(s·Exp(1), 0, 1)`) and near 1 for the end time
 * (`clip(1 − s·Exp(1), 0, 1)`); the others ignore `end`.
 */
export function sampleTime(rng: Rng, distribution: TimeDistribution, end: 'start' | 'end'): number {
  switch (distribution.kind) {
    case 'uniform':
      return rng.uniform();
    case 'exp': {
      const offset = Math.min(distribution.scale * rng.exponential(), 1);
      return end === 'start' ? offset : 1 - offset;
    }
    case 'logitNormal':
      return 1 / (1 + Math.exp(-(distribution.mean + distribution.std * rng.normal())));
    case 'beta': {
      const x = sampleGamma(rng, distribution.a);
      return x / (x + sampleGamma(rng, distribution.b));
    }
  }
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1)·U^(1/shape). */
function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(1 - rng.uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v = (1 + c * x) ** 3;
    if (v > 0 && Math.log(1 - rng.uniform()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Column of times, rows × 1. Caller owns the result. */
export function timeColumn(values: Float32Array): tf.Tensor2D {
  return tf.tensor2d(values, [values.length, 1]);
}

/** x_τ = (1 − τ)ε + τa (noise at time 0, action at time 1; spec §4.1). τ: B × 1. Caller owns the result. */
export function interpolate(eps: tf.Tensor2D, a: tf.Tensor2D, tau: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(tf.sub(1, tau), eps), tf.mul(tau, a)) as tf.Tensor2D);
}

/** A velocity field v(o, x, τ) with τ a B × 1 column. Caller owns the result. */
export type VelocityField = (obs: tf.Tensor2D, x: tf.Tensor2D, tau: tf.Tensor2D) => tf.Tensor2D;

/** v_θ(o, x, τ): an MLP over [o, x, τ] (τ a raw scalar; GELU hidden, linear output; spec §4 "Paper-scale settings"). */
export function createVelocityField(
  obsDim: number,
  actDim: number,
  hidden: number[],
  rng: Rng,
  name: string,
): { net: Mlp; velocity: VelocityField } {
  const net = createMlp({ inputDim: obsDim + actDim + 1, hidden, outputDim: actDim, activation: 'gelu' }, rng, name);
  const velocity: VelocityField = (obs, x, tau) => tf.tidy(() => net.forward(concatColumns([obs, x, tau])));
  return { net, velocity };
}

/** L_FM = mean ‖v_θ(o, x_τ, τ) − (a − ε)‖², fresh ε ~ N(0, I) and τ ~ U[0, 1] per row (spec §4.3). Caller owns it. */
export function flowMatchingLoss(velocity: VelocityField, obs: tf.Tensor2D, acts: tf.Tensor2D, rng: Rng): tf.Scalar {
  return tf.tidy(() => {
    const [rows, actDim] = acts.shape;
    const eps = gaussianNoise(rng, rows, actDim);
    const tau = timeColumn(Float32Array.from({ length: rows }, () => rng.uniform()));
    return meanSquaredError(velocity(obs, interpolate(eps, acts, tau), tau), tf.sub(acts, eps) as tf.Tensor2D);
  });
}

/** x_0 = ε, x_{i+1} = x_i + v(o, x_i, i/K)/K for i < K (spec §4.3); differentiable, unclipped. Caller owns the result. */
export function eulerSample(velocity: VelocityField, obs: tf.Tensor2D, noise: tf.Tensor2D, steps: number): tf.Tensor2D {
  return tf.tidy(() => {
    let x = noise;
    for (let i = 0; i < steps; i++) {
      const tau = tf.fill([obs.shape[0], 1], i / steps) as tf.Tensor2D;
      x = tf.add(x, tf.div(velocity(obs, x, tau), steps));
    }
    return x;
  });
}


// ---------------------------------------------------------------- Q term

/** Identity forward, zero gradient: sg(·). tfjs has no `stopGradient`. */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as any) as (x: tf.Tensor) => tf.Tensor;

/**
 * L_Q = −mean(Q̄)·sg(1/mean|Q̄|), Q̄ the head mean of Q(o, action) (spec §4 "Q-term normalisation"); without `normalise`,
 * −mean(Q̄). Also returns mean(Q̄) as a diagnostic. Caller owns both.
 */
export function qLoss(
  critic: Critic,
  obs: tf.Tensor2D,
  action: tf.Tensor2D,
  normalise: boolean,
): { loss: tf.Scalar; qMean: tf.Scalar } {
  return tf.tidy(() => {
    const qBar = aggregateHeads(critic.forward(obs, action), 'mean');
    const qMean = tf.mean(qBar) as tf.Scalar;
    const scale = normalise ? stopGradient(tf.div(1, tf.mean(tf.abs(qBar)))) : tf.scalar(1);
    return { loss: tf.neg(tf.mul(qMean, scale)) as tf.Scalar, qMean };
  });
}

/** A loss with named diagnostics, as the optimiser takes it. */
export type NamedLoss = { loss: tf.Scalar; extras: Record<string, tf.Scalar> };

/**
 * base + weight·L_Q(o, action()) with `actor/q` and `actor/q_mean` added to the diagnostics; with weight 0 the action is not
 * sampled and `base` is returned as it is. Caller owns the result.
 */
export function withQTerm(
  base: NamedLoss,
  weight: number,
  critic: Critic,
  obs: tf.Tensor2D,
  action: () => tf.Tensor2D,
  normalise: boolean,
): NamedLoss {
  if (weight === 0) return base;
  const q = qLoss(critic, obs, action(), normalise);
  const loss = tf.add(base.loss, tf.mul(weight, q.loss)) as tf.Scalar;
  return { loss, extras: { ...base.extras, 'actor/q': q.loss, 'actor/q_mean': q.qMean } };
}

// ---------------------------------------------------------------- the learner

/** One step's actor loss, with whatever it computed outside the gradient tape (stop-gradient targets). */
export interface ActorObjective {
  /** Runs inside the tape; the scalar to minimise plus named diagnostics (tfjs-owned by the optimiser). */
  loss(): NamedLoss;
  /** Frees the tensors prepared outside the tape. */
  dispose(): void;
}

/** The algorithm-specific half of a flow-family learner. */
export interface FlowActor {
  /** Every actor variable; only the actor loss updates them. */
  readonly variables: tf.Variable[];
  /** The policy's action for `noise` before clipping, B × actDim; differentiable. Caller owns the result. */
  sample(obs: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D;
  /** This batch's actor objective against `critic` (whose variables the actor step does not update). */
  objective(batch: AgentBatch, critic: Critic): ActorObjective;
}

export interface FlowLearnerOptions {
  obsDim: number;
  actDim: number;
  config: FlowCommonConfig;
  /** The agent's stream; forked here into `critic`, `next-noise` and `act-noise`. */
  rng: Rng;
  /** Variable prefix, `agent<i>`. */
  name: string;
  actor: FlowActor;
}

/** A policy action a = clip(sample(o, ε), −1, 1) (spec §4.1, §4.3). Caller owns the result. */
export function clippedAction(sample: FlowActor['sample'], obs: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.clipByValue(sample(obs, noise), -1, 1) as tf.Tensor2D);
}

/** Twin critic (GELU, LayerNorm; spec §4 "Paper-scale settings") + target, the actor's objective, and the update order above. */
export function createFlowLearner(options: FlowLearnerOptions): Learner {
  const { obsDim, actDim, config, rng, name, actor } = options;
  const criticOptions = { obsDim, actDim, hidden: config.hidden, layerNorm: true, activation: 'gelu' as const };
  const { critic, criticTarget, actorOptimizer, criticOptimizer } = createActorCriticSet(actor.variables, criticOptions, config.learningRate, rng, name);
  const nextNoiseRng = rng.fork('next-noise');
  const actNoiseRng = rng.fork('act-noise');

  const update = (batch: AgentBatch): Promise<Record<string, number>> => {
    const rows = batch.obs.shape[0];
    // spec §4 table: a' from the current actor with fresh noise, clipped, no gradient; y from the pre-update target critic.
    const tdY = tf.tidy(() => {
      const nextActions = clippedAction(actor.sample, batch.nextObs, gaussianNoise(nextNoiseRng, rows, actDim));
      return tdTarget(criticTarget, batch, nextActions, config.discount, config.criticAggregation);
    });
    const objective = actor.objective(batch, critic);
    // Only actor variables move here: the critic parameters are not updated by the actor loss (spec §4.1 "Actor objective").
    const actorLosses = actorOptimizer.step('actor/loss', () => objective.loss());
    objective.dispose();
    polyakUpdate(criticTarget.variables, critic.variables, config.targetUpdateRate); // from the pre-step critic (header)
    const criticLosses = criticOptimizer.step('critic/loss', () => ({
      loss: criticRegressionLoss(critic, batch.obs, batch.acts, tdY, 'mean'),
      extras: { 'critic/target_mean': tf.mean(tdY) as tf.Scalar },
    }));
    tdY.dispose();
    return readScalars({ ...criticLosses, ...actorLosses });
  };

  return {
    update,
    act: (obs, deterministic) =>
      tf.tidy(() => clippedAction(actor.sample, obs, gaussianNoise(actNoiseRng, obs.shape[0], actDim, deterministic))),
    variables: [...actor.variables, ...critic.variables, ...criticTarget.variables],
    dispose: () => {
      actorOptimizer.dispose();
      criticOptimizer.dispose();
      tf.dispose([...actor.variables, ...critic.variables, ...criticTarget.variables]);
    },
  };
}

/** Builds the actor of one agent: dimensions, its own stream, and its variable prefix `agent<i>`. */
export type FlowActorFactory = (obsDim: number, actDim: number, rng: Rng, name: string) => FlowActor;

/** One flow-family learner per agent (spec §4 "Common": independent learners); agent i's streams fork from `agent<i>`. */
export function createFlowAgents(
  space: AgentSpace,
  config: FlowCommonConfig,
  rng: Rng,
  networkEvalsPerAction: number,
  makeActor: FlowActorFactory,
): Agent {
  return independentAgents(
    space,
    (i) => {
      const agentRng = rng.fork(`agent${i}`);
      const [obsDim, actDim, name] = [space.obsDims[i], space.actDims[i], `agent${i}`];
      const actor = makeActor(obsDim, actDim, agentRng.fork('policy'), name);
      return createFlowLearner({ obsDim, actDim, config, rng: agentRng, name, actor });
    },
    networkEvalsPerAction,
  );
}
