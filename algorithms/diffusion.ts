/**
 * Diffusion policy, DOM2-like (arXiv 2307.01472) in Diffusion-QL's form (arXiv 2208.06193), spec §4.2; schedule, sampler and
 * Q normalisation checked against Diffusion-QL's code. Per agent: VP ε-net, twin critic, EMA actor; actor objective L_d + η·L_Q
 * with the Q gradient through all T reverse steps. cpu preset 2×64 (om2p's widths: efficiency ratios compare like with like),
 * batch 256; paper 4×512. **Choice**: GELU and LayerNorm critics (spec §4 paper-scale) in both presets, as om2p; Diffusion-QL's
 * Mish is `activation: 'mish'` (on wasm ~0.8× the update time; ReLU ~0.45×). **Choice**: DOM2's high-return trajectory
 * replication is left out (the sampler exposes transitions, not episodes). **Choice**: `deterministic` acting runs the chain
 * noise-free (x_T = 0, no σ_k z); evalSamples > 1 scores candidates by the target critic's min-Q, as Diffusion-QL.
 * Keys: critic/loss (Σ-heads TD MSE [+ α·CQL]), critic/cql (α > 0), actor/loss, actor/diffusion (L_d), actor/q (L_Q, η > 0).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/rng.ts';
import type { AgentBatch, AgentSpace, AlgorithmDef } from '../contracts/types.ts';
import type { ActivationName } from './nn/activations.ts';
import { aggregateHeads, createActorCriticSet, type Critic } from './nn/critic.ts';
import { sinusoidalEmbedding } from './nn/embedding.ts';
import { independentAgents, type Learner } from './nn/independent.ts';
import { createMlp, type Mlp } from './nn/mlp.ts';
import { copyVariables, polyakUpdate } from './nn/optim.ts';
import { readScalars } from './nn/readback.ts';
import { criticRegressionLoss, tdTarget } from './nn/td.ts';
import { configKeySchemas, configSchema } from './nn/config-schema.ts';
import { meanSquaredError } from './nn/losses.ts';
import { stopGradient } from './nn/gradient-path.ts';
import { concatColumns } from './nn/columns.ts';

export interface DiffusionConfig {
  /** T, the number of diffusion steps (≥ 1); also the network evaluations per action. */
  steps: number;
  /** ε-network hidden layer widths. */
  hidden: number[];
  /** Critic hidden layer widths (per head). */
  criticHidden: number[];
  /** Hidden activation of the ε-network and the critics (the step embedding always uses Mish, spec §4.2). */
  activation: ActivationName;
  /** LayerNorm after each critic hidden activation (spec §4 paper-scale settings). */
  criticLayerNorm: boolean;
  /** η ≥ 0, weight of the Q term in the actor objective (sweep {0.01, 0.1, 1, 10}, spec §4). */
  eta: number;
  /** Adam learning rate of actor and critic (> 0). */
  learningRate: number;
  /** γ in [0, 1]. */
  discount: number;
  /** Polyak rate of the target critic, in (0, 1]. */
  targetUpdateRate: number;
  /** EMA decay of the actor that supplies next actions, in [0, 1). */
  emaDecay: number;
  /** EMA update period in updates (≥ 1). */
  emaEvery: number;
  /** Updates before the EMA starts tracking (it holds the initial actor until then, as Diffusion-QL). */
  emaStart: number;
  /** α ≥ 0 of the optional CQL critic term (DOM2, OMAR's form); 0 = off. */
  cqlAlpha: number;
  /** Candidate actions per observation at acting time (≥ 1); > 1 picks one by softmax over min-Q. */
  evalSamples: number;
  /** Minibatch size drawn by the harness's sampler (≥ 1). */
  batchSize: number;
}

const defaults: DiffusionConfig = {
  steps: 5,
  hidden: [64, 64],
  criticHidden: [64, 64],
  activation: 'gelu',
  criticLayerNorm: true,
  eta: 1,
  learningRate: 3e-4,
  discount: 0.99,
  targetUpdateRate: 0.005,
  emaDecay: 0.995,
  emaEvery: 5,
  emaStart: 1000,
  cqlAlpha: 0,
  evalSamples: 1,
  batchSize: 256,
};

const layers = configKeySchemas.layers;
const schema = configSchema(defaults, {
  steps: { type: 'integer', minimum: 1 },
  hidden: layers,
  criticHidden: layers,
  activation: configKeySchemas.activation,
  criticLayerNorm: { type: 'boolean' },
  eta: { type: 'number', minimum: 0 },
  learningRate: configKeySchemas.learningRate,
  discount: configKeySchemas.discount,
  targetUpdateRate: configKeySchemas.targetUpdateRate,
  emaDecay: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
  emaEvery: { type: 'integer', minimum: 1 },
  emaStart: { type: 'integer', minimum: 0 },
  cqlAlpha: { type: 'number', minimum: 0 },
  evalSamples: { type: 'integer', minimum: 1 },
  batchSize: configKeySchemas.batchSize,
});

/** Per step k = 1…T, stored at index k − 1 (spec §4.2 "VP schedule"). */
export interface VpSchedule {
  alpha: number[];
  beta: number[];
  /** ᾱ_k = Π_{j≤k} α_j. */
  alphaBar: number[];
  /** ᾱ_{k−1} (ᾱ_0 = 1). */
  alphaBarPrev: number[];
  /** β̃_k = β_k (1 − ᾱ_{k−1}) / (1 − ᾱ_k). */
  posteriorVariance: number[];
  c1: number[];
  c2: number[];
  /** σ_k = √max(β̃_k, 1e-20). */
  sigma: number[];
}

/** The VP schedule of spec §4.2: α_k = exp(−β_min/T − ½(β_max − β_min)(2k − 1)/T²) and the sampler coefficients. */
export function vpSchedule(T: number, betaMin = 0.1, betaMax = 10): VpSchedule {
  const s: VpSchedule = { alpha: [], beta: [], alphaBar: [], alphaBarPrev: [], posteriorVariance: [], c1: [], c2: [], sigma: [] };
  let alphaBar = 1;
  for (let k = 1; k <= T; k++) {
    const alpha = Math.exp(-betaMin / T - (0.5 * (betaMax - betaMin) * (2 * k - 1)) / T ** 2);
    const beta = 1 - alpha;
    const prev = alphaBar;
    alphaBar *= alpha;
    const posteriorVariance = (beta * (1 - prev)) / (1 - alphaBar);
    s.alpha.push(alpha);
    s.beta.push(beta);
    s.alphaBar.push(alphaBar);
    s.alphaBarPrev.push(prev);
    s.posteriorVariance.push(posteriorVariance);
    s.c1.push((beta * Math.sqrt(prev)) / (1 - alphaBar));
    s.c2.push(((1 - prev) * Math.sqrt(alpha)) / (1 - alphaBar));
    s.sigma.push(Math.sqrt(Math.max(posteriorVariance, 1e-20)));
  }
  return s;
}

/** ε_θ(o, x, k): the step index enters as a 16-d sinusoidal embedding → Linear 32 → Mish → Linear 16 (spec §4.2). */
export interface NoiseNet {
  stepEmbedding: Pick<Mlp, 'forward'>;
  eps: Pick<Mlp, 'forward'>;
  variables: tf.Variable[];
}

function createNoiseNet(obsDim: number, actDim: number, config: DiffusionConfig, rng: Rng, name: string): NoiseNet {
  const stepEmbedding = createMlp(
    { inputDim: 16, hidden: [32], outputDim: 16, activation: 'mish' },
    rng.fork('step'),
    `${name}/step`,
  );
  const eps = createMlp(
    { inputDim: obsDim + actDim + 16, hidden: config.hidden, outputDim: actDim, activation: config.activation },
    rng.fork('eps'),
    `${name}/eps`,
  );
  return { stepEmbedding, eps, variables: [...stepEmbedding.variables, ...eps.variables] };
}

/**
 * The step embedding of every index 0…T−1 (T × 16). Rows are picked by a one-hot product rather than by re-embedding per
 * row: one tiny pass per loss instead of one per chain step (wasm is per-op bound at small sizes; `gather` has no wasm
 * gradient). The caller owns the result.
 */
function stepTable(net: NoiseNet, steps: number): tf.Tensor2D {
  return tf.tidy(() => net.stepEmbedding.forward(sinusoidalEmbedding(tf.range(0, steps).reshape([steps, 1]) as tf.Tensor2D, 16)));
}

/** ε_θ(o, x_k, k − 1), with k − 1 given per row as a one-hot `B × T` over `table`'s rows. The caller owns the result. */
function predictNoise(net: NoiseNet, table: tf.Tensor2D, obs: tf.Tensor2D, x: tf.Tensor2D, stepOneHot: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => net.eps.forward(concatColumns([obs, x, tf.matMul(stepOneHot, table)])));
}

/**
 * The reverse chain (spec §4.2 "Sampler"), differentiable through every step: x̂_0 is clipped, the iterate x_k is not,
 * a = clip(x_0). `noise` null runs it noise-free (x_T = 0, no σ_k z). The caller owns the result. Exported for tests.
 */
export function sampleActions(net: NoiseNet, s: VpSchedule, obs: tf.Tensor2D, actDim: number, noise: Rng | null): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, steps] = [obs.shape[0], s.alpha.length];
    const table = stepTable(net, steps);
    const draw = (r: Rng) => tf.randomNormal([rows, actDim], 0, 1, 'float32', r.nextSeed()) as tf.Tensor2D;
    let x = noise ? draw(noise) : (tf.zeros([rows, actDim]) as tf.Tensor2D);
    for (let k = steps; k >= 1; k--) {
      const i = k - 1;
      const epsHat = predictNoise(net, table, obs, x, tf.oneHot(tf.fill([rows], i, 'int32'), steps).toFloat() as tf.Tensor2D);
      const x0Hat = tf.clipByValue(
        tf.sub(tf.mul(Math.sqrt(1 / s.alphaBar[i]), x), tf.mul(Math.sqrt(1 / s.alphaBar[i] - 1), epsHat)),
        -1,
        1,
      );
      x = tf.add(tf.mul(s.c1[i], x0Hat), tf.mul(s.c2[i], x)) as tf.Tensor2D;
      if (k > 1 && noise) x = tf.add(x, tf.mul(s.sigma[i], draw(noise))) as tf.Tensor2D;
    }
    return tf.clipByValue(x, -1, 1) as tf.Tensor2D;
  });
}

/** L_d = mean ‖ε − ε_θ(o, √ᾱ_k a + √(1 − ᾱ_k) ε, k − 1)‖², k ~ U{1…T} per row (spec §4.2). */
function diffusionLoss(net: NoiseNet, s: VpSchedule, batch: AgentBatch, rng: Rng): tf.Scalar {
  const [rows, steps] = [batch.acts.shape[0], s.alpha.length];
  const index = Int32Array.from({ length: rows }, () => rng.int(steps));
  const sqrtAlphaBar = Float32Array.from(index, (i) => Math.sqrt(s.alphaBar[i]));
  const sqrtOneMinusAlphaBar = Float32Array.from(index, (i) => Math.sqrt(1 - s.alphaBar[i]));
  return tf.tidy(() => {
    const eps = tf.randomNormal(batch.acts.shape, 0, 1, 'float32', rng.nextSeed());
    const xK = tf.add(
      tf.mul(tf.tensor2d(sqrtAlphaBar, [rows, 1]), batch.acts),
      tf.mul(tf.tensor2d(sqrtOneMinusAlphaBar, [rows, 1]), eps),
    ) as tf.Tensor2D;
    const stepOneHot = tf.oneHot(tf.tensor1d(index, 'int32'), steps).toFloat() as tf.Tensor2D;
    return meanSquaredError(predictNoise(net, stepTable(net, steps), batch.obs, xK, stepOneHot), eps);
  });
}

/** L_Q = −mean Q_k(o, a_π) / sg(mean |Q_k'(o, a_π)|), k a random head, k' the other (Diffusion-QL, spec §4). */
function qLoss(critic: Critic, obs: tf.Tensor2D, actions: tf.Tensor2D, head: number): tf.Scalar {
  return tf.tidy(() => {
    const q = critic.forward(obs, actions);
    // sg: no gradient flows through the scale.
    const scale = stopGradient(tf.mean(tf.abs(q[1 - head])));
    return tf.div(tf.neg(tf.mean(q[head])), scale) as tf.Scalar;
  });
}

const CQL_SAMPLES = 10;

/** Σ_k mean[logsumexp_j(Q_k(o, ã_j) − log 0.5^|A|) − Q_k(o, a)], ã_j ~ U[−1, 1], j = 1…10 (OMAR's form, spec §4.2). */
function cqlPenalty(critic: Critic, batch: AgentBatch, rng: Rng): tf.Scalar {
  return tf.tidy(() => {
    const [rows, actDim] = batch.acts.shape;
    const obsRepeated = tf.tile(batch.obs, [CQL_SAMPLES, 1]) as tf.Tensor2D; // block j holds every row once
    const random = tf.randomUniform([CQL_SAMPLES * rows, actDim], -1, 1, 'float32', rng.nextSeed()) as tf.Tensor2D;
    const logDensity = actDim * Math.log(0.5);
    const qData = critic.forward(batch.obs, batch.acts);
    const perHead = critic.forward(obsRepeated, random).map((qRandom, k) => {
      const logSumExp = tf.logSumExp(tf.reshape(tf.sub(qRandom, logDensity), [CQL_SAMPLES, rows]), 0);
      return tf.mean(tf.sub(logSumExp, tf.reshape(qData[k], [rows])));
    });
    return tf.addN(perHead) as tf.Scalar;
  });
}

/** Best of N: N candidates per row scored by the target critic's min-Q, one picked by softmax (argmax if deterministic). */
function pickByQ(
  sample: (obs: tf.Tensor2D) => tf.Tensor2D,
  criticTarget: Critic,
  obs: tf.Tensor2D,
  candidates: number,
  rng: Rng | null,
): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = obs.shape[0];
    const obsRepeated = tf.tile(obs, [candidates, 1]) as tf.Tensor2D; // row n·B + b is candidate n of row b
    const actions = sample(obsRepeated);
    const q = aggregateHeads(criticTarget.forward(obsRepeated, actions), 'min');
    const scores = tf.transpose(tf.reshape(q, [candidates, rows])) as tf.Tensor2D;
    const choice = rng ? tf.reshape(tf.multinomial(scores, 1, rng.nextSeed()), [rows]) : tf.argMax(scores, 1);
    const index = tf.add(tf.mul(tf.cast(choice, 'int32'), tf.scalar(rows, 'int32')), tf.range(0, rows, 1, 'int32'));
    return tf.gather(actions, index) as tf.Tensor2D;
  });
}

function createLearner(space: AgentSpace, config: DiffusionConfig, rng: Rng, agentIndex: number): Learner {
  const [obsDim, actDim] = [space.obsDims[agentIndex], space.actDims[agentIndex]];
  const name = `agent${agentIndex}`;
  const schedule = vpSchedule(config.steps);
  const actor = createNoiseNet(obsDim, actDim, config, rng.fork('actor'), `${name}/actor`);
  const actorEma = createNoiseNet(obsDim, actDim, config, rng.fork('actor'), `${name}/actor_ema`);
  const criticOptions = {
    obsDim,
    actDim,
    hidden: config.criticHidden,
    activation: config.activation,
    layerNorm: config.criticLayerNorm,
  };
  copyVariables(actorEma.variables, actor.variables);
  const { critic, criticTarget, actorOptimizer, criticOptimizer } = createActorCriticSet(actor.variables, criticOptions, config.learningRate, rng, name);
  const [diffusionRng, chainRng, headRng, cqlRng, actRng] = ['diffusion', 'chain', 'head', 'cql', 'act'].map((p) => rng.fork(p));
  let updates = 0;

  const updateCritic = (batch: AgentBatch): Record<string, tf.Scalar> => {
    // a' is a T-step sample of the EMA actor; min over target heads (spec §4 "Common" table).
    const target = tf.tidy(() => {
      const nextActions = sampleActions(actorEma, schedule, batch.nextObs, actDim, chainRng);
      return tdTarget(criticTarget, batch, nextActions, config.discount, 'min');
    });
    const losses = criticOptimizer.step('critic/loss', () => {
      const td = criticRegressionLoss(critic, batch.obs, batch.acts, target, 'sum');
      if (config.cqlAlpha === 0) return { loss: td };
      const cql = cqlPenalty(critic, batch, cqlRng);
      return { loss: tf.add(td, tf.mul(config.cqlAlpha, cql)) as tf.Scalar, extras: { 'critic/cql': cql } };
    });
    target.dispose();
    return losses;
  };

  // The actor optimiser holds the actor's variables only: the critic is not updated by the actor loss (spec §4.2).
  const updateActor = (batch: AgentBatch): Record<string, tf.Scalar> =>
    actorOptimizer.step('actor/loss', () => {
      const extras: Record<string, tf.Scalar> = { 'actor/diffusion': diffusionLoss(actor, schedule, batch, diffusionRng) };
      if (config.eta === 0) return { loss: extras['actor/diffusion'], extras };
      const actions = sampleActions(actor, schedule, batch.obs, actDim, chainRng);
      extras['actor/q'] = qLoss(critic, batch.obs, actions, headRng.int(2));
      return { loss: tf.add(extras['actor/diffusion'], tf.mul(config.eta, extras['actor/q'])) as tf.Scalar, extras };
    });

  const sample = (noise: Rng | null) => (obs: tf.Tensor2D) => sampleActions(actor, schedule, obs, actDim, noise);
  return {
    update(batch) {
      const losses = readScalars({ ...updateCritic(batch), ...updateActor(batch) }); // critic first, then the actor against it
      if (updates % config.emaEvery === 0 && updates >= config.emaStart) {
        polyakUpdate(actorEma.variables, actor.variables, 1 - config.emaDecay);
      }
      polyakUpdate(criticTarget.variables, critic.variables, config.targetUpdateRate);
      updates++;
      return losses;
    },
    act(obs, deterministic) {
      const noise = deterministic ? null : actRng;
      if (config.evalSamples === 1) return sample(noise)(obs);
      return pickByQ(sample(noise), criticTarget, obs, config.evalSamples, noise);
    },
    variables: [...actor.variables, ...actorEma.variables, ...critic.variables, ...criticTarget.variables],
    dispose() {
      actorOptimizer.dispose();
      criticOptimizer.dispose();
      tf.dispose([...actor.variables, ...actorEma.variables, ...critic.variables, ...criticTarget.variables]);
    },
  };
}

export const diffusion: AlgorithmDef<DiffusionConfig> = {
  name: 'diffusion',
  description: 'Diffusion policy (DOM2-like, Diffusion-QL style): VP ε-net, Q gradient through all T reverse steps (spec §4.2)',
  defaults,
  presets: {
    cpu: {},
    paper: { hidden: [512, 512, 512, 512], criticHidden: [512, 512, 512, 512] },
  },
  schema,
  create: (space, config, rng) =>
    independentAgents(space, (i) => createLearner(space, config, rng.fork(`agent${i}`), i), config.steps),
};
