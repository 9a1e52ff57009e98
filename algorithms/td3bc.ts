/**
 * TD3+BC (Fujimoto & Gu, arXiv 2106.06860), spec §4.4, per agent with decentralised twin critics; checked against CORL's
 * td3_bc.py. Observations are normalised per agent by the dataset mean / (std + 1e-3), in training and when acting.
 * cpu preset: actor and critics 2×64 ReLU, batch 256 (every algorithm's cpu width, docs/design.md "cpu preset"). **Choice**: the paper preset is 4×512 GELU
 * with LayerNorm critics (spec §4 paper-scale settings), so every baseline has the same capacity at paper scale.
 * **Choice**: delayed updates fall on updates 1, 3, 5, … (CORL: 2, 4, …) and between them the actor/* keys repeat the
 * latest actor update, so every update returns the same keys.
 * Keys: critic/loss (Σ over heads of batch-mean TD MSE), actor/loss, actor/q (−λ·mean Q_1), actor/bc, actor/lambda (λ).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/rng.ts';
import type { AgentBatch, AgentSpace, AlgorithmDef } from '../contracts/types.ts';
import type { ActivationName } from './nn/activations.ts';
import { createActorCriticSet, type Critic } from './nn/critic.ts';
import { independentAgents, type Learner } from './nn/independent.ts';
import { createMlp, type Mlp } from './nn/mlp.ts';
import { copyVariables, polyakUpdate } from './nn/optim.ts';
import { readScalars } from './nn/readback.ts';
import { criticRegressionLoss, tdTarget } from './nn/td.ts';
import { configKeySchemas, configSchema } from './nn/config-schema.ts';
import { meanSquaredError } from './nn/losses.ts';
import { stopGradient } from './nn/gradient-path.ts';
import { concatColumns } from './nn/columns.ts';

export interface Td3BcConfig {
  /** Hidden layer widths of the actor and of each critic head. */
  hidden: number[];
  /** Hidden activation of actor and critics. */
  activation: ActivationName;
  /** LayerNorm after each critic hidden activation (spec §4 paper-scale settings). */
  criticLayerNorm: boolean;
  /** α ≥ 0 in λ = α / mean|Q_1| (2.5 in TD3+BC). */
  alpha: number;
  /** Std of the target policy smoothing noise (≥ 0). */
  policyNoise: number;
  /** The smoothing noise is clipped to ±noiseClip (≥ 0). */
  noiseClip: number;
  /** Critic updates per actor and target update (≥ 1). */
  policyDelay: number;
  /** Adam learning rate of actor and critics (> 0). */
  learningRate: number;
  /** γ in [0, 1]. */
  discount: number;
  /** Polyak rate of the target actor and critic, in (0, 1]. */
  targetUpdateRate: number;
  /** Minibatch size drawn by the harness's sampler (≥ 1). */
  batchSize: number;
}

const defaults: Td3BcConfig = {
  hidden: [64, 64],
  activation: 'relu',
  criticLayerNorm: false,
  alpha: 2.5,
  policyNoise: 0.2,
  noiseClip: 0.5,
  policyDelay: 2,
  learningRate: 3e-4,
  discount: 0.99,
  targetUpdateRate: 0.005,
  batchSize: 256,
};

const schema = configSchema(defaults, {
  hidden: configKeySchemas.layers,
  activation: configKeySchemas.activation,
  criticLayerNorm: { type: 'boolean' },
  alpha: { type: 'number', minimum: 0 },
  policyNoise: { type: 'number', minimum: 0 },
  noiseClip: { type: 'number', minimum: 0 },
  policyDelay: { type: 'integer', minimum: 1 },
  learningRate: configKeySchemas.learningRate,
  discount: configKeySchemas.discount,
  targetUpdateRate: configKeySchemas.targetUpdateRate,
  batchSize: configKeySchemas.batchSize,
});

/** a' = clip(π̄(o') + clip(N(0, σ²), ±c), −1, 1): TD3's target policy smoothing (spec §4 "Common"). Caller owns it. */
function smoothedTargetAction(actorTarget: Mlp, nextObs: tf.Tensor2D, config: Td3BcConfig, rng: Rng): tf.Tensor2D {
  return tf.tidy(() => {
    const next = actorTarget.forward(nextObs);
    const noise = tf.randomNormal(next.shape, 0, config.policyNoise, 'float32', rng.nextSeed());
    return tf.clipByValue(tf.add(next, tf.clipByValue(noise, -config.noiseClip, config.noiseClip)), -1, 1) as tf.Tensor2D;
  });
}

/** −λ·mean Q_1(o, π(o)) + mean(π(o) − a)², λ = α / sg(mean|Q_1(o, π(o))|) (spec §4.4); o already normalised. */
function actorLoss(actor: Mlp, critic: Critic, obs: tf.Tensor2D, acts: tf.Tensor2D, alpha: number) {
  const pi = actor.forward(obs);
  // Only the first head enters the actor loss (TD3); evaluating it alone saves the second head's forward.
  const q1 = critic.heads[0].forward(concatColumns([obs, pi]));
  // sg: no gradient flows through λ. One float32 division, as the number it replaces was rounded to float32 when it met
  // the tensor (for α representable in float32, as the default 2.5, double rounding of a quotient changes nothing).
  const lambda = tf.div(alpha, stopGradient(tf.mean(tf.abs(q1)))) as tf.Scalar;
  const qTerm = tf.mul(tf.neg(lambda), tf.mean(q1)) as tf.Scalar;
  const bcTerm = meanSquaredError(pi, acts);
  return {
    loss: tf.add(qTerm, bcTerm) as tf.Scalar,
    extras: { 'actor/q': qTerm, 'actor/bc': bcTerm, 'actor/lambda': lambda },
  };
}

function createLearner(space: AgentSpace, config: Td3BcConfig, rng: Rng, agentIndex: number): Learner {
  const [obsDim, actDim] = [space.obsDims[agentIndex], space.actDims[agentIndex]];
  const name = `agent${agentIndex}`;
  const actorOptions = { inputDim: obsDim, hidden: config.hidden, outputDim: actDim, activation: config.activation };
  const actor = createMlp({ ...actorOptions, outputActivation: 'tanh' }, rng.fork('actor'), `${name}/actor`);
  const actorTarget = createMlp({ ...actorOptions, outputActivation: 'tanh' }, rng.fork('actor'), `${name}/actor_target`);
  const criticOptions = {
    obsDim,
    actDim,
    hidden: config.hidden,
    activation: config.activation,
    layerNorm: config.criticLayerNorm,
  };
  copyVariables(actorTarget.variables, actor.variables);
  const { critic, criticTarget, actorOptimizer, criticOptimizer } = createActorCriticSet(actor.variables, criticOptions, config.learningRate, rng, name);
  const noiseRng = rng.fork('noise');
  // Per-agent observation normalisation with the dataset statistics (spec §4.4).
  const obsMean = tf.tensor2d(space.obsMean[agentIndex], [1, obsDim]);
  const obsScale = tf.tidy(() => tf.add(tf.tensor2d(space.obsStd[agentIndex], [1, obsDim]), 1e-3));
  const normalise = (obs: tf.Tensor2D) => tf.tidy(() => tf.div(tf.sub(obs, obsMean), obsScale) as tf.Tensor2D);
  let updates = 0;
  // The last actor step's losses, reported again on the critic-only updates in between.
  let actorLosses: Promise<Record<string, number>> = Promise.resolve({});

  const updateCritic = (batch: AgentBatch, obs: tf.Tensor2D, nextObs: tf.Tensor2D): Record<string, tf.Scalar> => {
    const target = tf.tidy(() => {
      const nextActions = smoothedTargetAction(actorTarget, nextObs, config, noiseRng);
      return tdTarget(criticTarget, { ...batch, nextObs }, nextActions, config.discount, 'min');
    });
    const losses = criticOptimizer.step('critic/loss', () => ({
      loss: criticRegressionLoss(critic, obs, batch.acts, target, 'sum'),
    }));
    target.dispose();
    return losses;
  };

  return {
    async update(batch) {
      const [obs, nextObs] = [normalise(batch.obs), normalise(batch.nextObs)];
      const criticLosses = updateCritic(batch, obs, nextObs);
      if (updates % config.policyDelay === 0) {
        // The actor optimiser holds the actor's variables only: the critic is not updated by the actor loss.
        actorLosses = readScalars(actorOptimizer.step('actor/loss', () => actorLoss(actor, critic, obs, batch.acts, config.alpha)));
        polyakUpdate(actorTarget.variables, actor.variables, config.targetUpdateRate);
        polyakUpdate(criticTarget.variables, critic.variables, config.targetUpdateRate);
      }
      updates++;
      tf.dispose([obs, nextObs]);
      return { ...(await readScalars(criticLosses)), ...(await actorLosses) };
    },
    act: (obs) => tf.tidy(() => actor.forward(normalise(obs))),
    variables: [...actor.variables, ...actorTarget.variables, ...critic.variables, ...criticTarget.variables],
    dispose() {
      actorOptimizer.dispose();
      criticOptimizer.dispose();
      tf.dispose([obsMean, obsScale, ...actor.variables, ...actorTarget.variables, ...critic.variables, ...criticTarget.variables]);
    },
  };
}

export const td3bc: AlgorithmDef<Td3BcConfig> = {
  name: 'td3bc',
  description: 'TD3+BC: TD3 with a behaviour-cloning term and λ = α/mean|Q|, per-agent observation normalisation (spec §4.4)',
  defaults,
  presets: { cpu: {}, paper: { hidden: [512, 512, 512, 512], activation: 'gelu', criticLayerNorm: true } },
  schema,
  deterministicPolicy: true, // acts by π(o), no noise: its score is already noise-free
  create: (space, config, rng) => independentAgents(space, (i) => createLearner(space, config, rng.fork(`agent${i}`), i), 1),
  updateCycle: (config) => config.policyDelay,
};
