/**
 * OM2P: offline multi-agent mean-flow policy (arXiv 2508.06269), spec §4 and §4.1; independent learners with twin critics.
 * Noise at time 0, action at time 1; u_θ(o, x, r, t) is the mean velocity over [r, t] with the point at the start r; acting is
 * one network evaluation, a = clip(ε + u_θ(o, ε, 0, 1)).
 * **Choice** `variant: 'consistent'` (default) is that mathematically consistent policy; `'release'` reproduces the code release
 * (point at t, same target expression hence the opposite sign, raw-output action, unsorted independent times); the release's
 * README settings are `{ variant: 'release', derivative: 'zero', timeDistribution: 'uniform' }`.
 * **Choice** D by forward difference, h = 1e-3: float32 error vs jvp ~1e-3 on cpu and wasm, near the best h (fd-central: 1e-2,
 * ~5e-5; the release's 1e-12 rounds to 0); times `exp`, s = 0.2, sorted r ≤ t, no r = t pairs (`timeDistribution`, `timeOrder`
 * and `equalTimesFraction` choose others: sorted or independent uniform, logit-normal, beta); η = 0.1; update order of
 * `flow-family.ts`.
 * **Choice** cpu preset 2×64, batch 256 (2-core wasm); paper 4×512. Losses: `actor/mf`, `actor/q`, `actor/q_mean`, `critic/*`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/rng.ts';
import type { AgentBatch, AlgorithmDef, AgentSpace } from '../contracts/types.ts';
import type { Critic } from './nn/critic.ts';
import { createMlp, forwardRows, type Mlp } from './nn/mlp.ts';
import {
  createFlowAgents,
  flowCommonDefaults,
  flowConfigSchema,
  flowPaperPreset,
  gaussianNoise,
  interpolate,
  withQTerm,
  sampleTime,
  timeColumn,
  type ActorObjective,
  type FlowActor,
  type FlowCommonConfig,
  type TimeDistribution,
} from './flow-family.ts';
import { meanSquaredError } from './nn/losses.ts';
import { offTape } from './nn/gradient-path.ts';
import { concatColumns } from './nn/columns.ts';

export interface Om2pConfig extends FlowCommonConfig {
  /** η, weight of L_Q in the actor objective, ≥ 0 (spec §4: tuned per dataset over {0.01, 0.1, 1, 10}). */
  eta: number;
  /** How D = d/dr u along the path is obtained (spec §4.1 "D, selectable"); `zero` drops the term. */
  derivative: 'fd' | 'fd-central' | 'jvp' | 'zero';
  /** Finite-difference step h of `fd` and `fd-central`, > 0. */
  fdStep: number;
  /** Distribution of the two flow times (spec §4.1 "Generalised timestep distribution"). */
  timeDistribution: 'exp' | 'uniform' | 'logitNormal' | 'beta';
  /** s of `exp`: r = clip(s·Exp(1), 0, 1), t = clip(1 − s·Exp(1), 0, 1); > 0. */
  timeScale: number;
  /** μ of `logitNormal` (times are sigmoid(μ + σ·N(0, 1))). */
  logitNormalMean: number;
  /** σ of `logitNormal`, > 0. */
  logitNormalStd: number;
  /** α of `beta`, > 0. */
  betaA: number;
  /** β of `beta`, > 0. */
  betaB: number;
  /**
   * Whether the two times are sorted so that r ≤ t: `sorted`, `independent` (unsorted, as the code release draws them), or
   * `variant`: sorted for `consistent`, independent for `release`. An unsorted pair with r > t is a mean velocity over a
   * backward interval, which the identity covers as well (spec §4.1).
   */
  timeOrder: 'variant' | 'sorted' | 'independent';
  /** Fraction of rows whose two times are set equal (the other time takes the point's time), in [0, 1] (MeanFlow: 0.75). */
  equalTimesFraction: number;
  /** `consistent` (spec §4.1) or the code release's `release` behaviour (spec §4.1, last bullet). */
  variant: 'consistent' | 'release';
}

const defaults: Om2pConfig = {
  ...flowCommonDefaults,
  eta: 0.1,
  derivative: 'fd',
  fdStep: 1e-3,
  timeDistribution: 'exp',
  timeScale: 0.2,
  logitNormalMean: 0,
  logitNormalStd: 1,
  betaA: 1,
  betaB: 1,
  equalTimesFraction: 0,
  timeOrder: 'variant',
  variant: 'consistent',
};

const positive = { type: 'number', exclusiveMinimum: 0 };

const schema = flowConfigSchema(defaults, {
  eta: { type: 'number', minimum: 0 },
  derivative: { enum: ['fd', 'fd-central', 'jvp', 'zero'] },
  fdStep: positive,
  timeDistribution: { enum: ['exp', 'uniform', 'logitNormal', 'beta'] },
  timeScale: positive,
  logitNormalMean: { type: 'number' },
  logitNormalStd: positive,
  betaA: positive,
  betaB: positive,
  equalTimesFraction: { type: 'number', minimum: 0, maximum: 1 },
  timeOrder: { enum: ['variant', 'sorted', 'independent'] },
  variant: { enum: ['consistent', 'release'] },
});

/** What the target computation needs from the config. */
export type MeanFlowTargetConfig = Pick<Om2pConfig, 'derivative' | 'fdStep' | 'variant'>;

/** u_θ's input [o, x, r, t] (times as raw scalars, spec §4 "Paper-scale settings"). Caller owns the result. */
function meanFlowInput(obs: tf.Tensor2D, x: tf.Tensor2D, r: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor2D {
  return concatColumns([obs, x, r, t]);
}

/** Where L_MF is evaluated (spec §4.1 "Target"): u_θ's input at the point and the path's direction there. */
export type MeanFlowPoint = {
  /** [o, x_p, r, t] with x_p = (1 − p)ε + p·a, p = r (consistent) or t (release). */
  input: tf.Tensor2D;
  /** The path's tangent in input space: (0, v, 1 at p, 0 at the other time), v = a − ε. */
  tangent: tf.Tensor2D;
  /** v = a − ε, the conditional velocity. */
  velocity: tf.Tensor2D;
};

/** The point and tangent of L_MF for a batch; the caller owns all three tensors. */
export function meanFlowPoint(
  obs: tf.Tensor2D,
  acts: tf.Tensor2D,
  eps: tf.Tensor2D,
  r: tf.Tensor2D,
  t: tf.Tensor2D,
  variant: Om2pConfig['variant'],
): MeanFlowPoint {
  return tf.tidy(() => {
    const atStart = variant === 'consistent';
    const velocity = tf.sub(acts, eps) as tf.Tensor2D;
    const input = meanFlowInput(obs, interpolate(eps, acts, atStart ? r : t), r, t);
    const [ones, zeros] = [tf.onesLike(r) as tf.Tensor2D, tf.zerosLike(r) as tf.Tensor2D];
    const tangent = meanFlowInput(tf.zerosLike(obs), velocity, atStart ? ones : zeros, atStart ? zeros : ones);
    return { input, tangent, velocity };
  });
}

/**
 * The stop-gradient target `v + (t − r)·D` of L_MF, D the derivative of u along the path, ∂_x u·v + ∂_p u (spec §4.1), i.e.
 * the directional derivative of the network along `point.tangent`. Computed with the current θ; call it off the gradient
 * tape. `atInput` is u_θ(point.input) when the caller already has it: the forward difference reuses it rather than run the
 * network again. The caller owns the result.
 */
export function meanFlowTarget(
  net: Mlp,
  point: MeanFlowPoint,
  r: tf.Tensor2D,
  t: tf.Tensor2D,
  config: MeanFlowTargetConfig,
  atInput?: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const { input, tangent, velocity } = point;
    const h = config.fdStep;
    const shifted = (sign: number) => net.forward(tf.add(input, tf.mul(sign * h, tangent)) as tf.Tensor2D);
    let derivative: tf.Tensor;
    switch (config.derivative) {
      case 'zero':
        derivative = tf.zerosLike(velocity);
        break;
      case 'fd':
        derivative = tf.div(tf.sub(shifted(1), atInput ?? net.forward(input)), h);
        break;
      case 'fd-central':
        derivative = tf.div(tf.sub(shifted(1), shifted(-1)), 2 * h);
        break;
      case 'jvp':
        derivative = net.forwardWithTangent(input, tangent)[1];
        break;
    }
    return tf.add(velocity, tf.mul(tf.sub(t, r), derivative)) as tf.Tensor2D;
  });
}

function timeDistribution(config: Om2pConfig): TimeDistribution {
  switch (config.timeDistribution) {
    case 'exp':
      return { kind: 'exp', scale: config.timeScale };
    case 'uniform':
      return { kind: 'uniform' };
    case 'logitNormal':
      return { kind: 'logitNormal', mean: config.logitNormalMean, std: config.logitNormalStd };
    case 'beta':
      return { kind: 'beta', a: config.betaA, b: config.betaB };
  }
}

/**
 * (r, t) per row: sorted so that r ≤ t or independent as `timeOrder` says (by default consistent sorts, release does not); a
 * fraction `equalTimesFraction` of rows gets the non-point time set to the point time (r for consistent, t for release).
 */
export function sampleTimePairs(rng: Rng, rows: number, config: Om2pConfig): { r: Float32Array; t: Float32Array } {
  const distribution = timeDistribution(config);
  const sorted = config.timeOrder === 'variant' ? config.variant === 'consistent' : config.timeOrder === 'sorted';
  const r = new Float32Array(rows);
  const t = new Float32Array(rows);
  for (let k = 0; k < rows; k++) {
    let start = sampleTime(rng, distribution, 'start');
    let end = sampleTime(rng, distribution, 'end');
    if (sorted && start > end) [start, end] = [end, start];
    if (rng.uniform() < config.equalTimesFraction) {
      if (config.variant === 'consistent') end = start;
      else start = end;
    }
    r[k] = start;
    t[k] = end;
  }
  return { r, t };
}

/** The mean-flow actor: one MLP u_θ over [o, x, r, t] with GELU hidden layers and a linear output. */
function createMeanFlowActor(obsDim: number, actDim: number, config: Om2pConfig, rng: Rng, name: string): FlowActor {
  const net = createMlp(
    { inputDim: obsDim + actDim + 2, hidden: config.hidden, outputDim: actDim, activation: 'gelu' },
    rng.fork('actor'),
    `${name}/actor`,
  );
  const noiseRng = rng.fork('noise');
  const timeRng = rng.fork('times');

  // One-step action before clipping from u = u(o, ε, 0, 1): ε + u (consistent) or the raw u (release).
  const oneStepInput = (obs: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => meanFlowInput(obs, noise, tf.zeros([obs.shape[0], 1]), tf.ones([obs.shape[0], 1])));
  const oneStepAction = (noise: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D =>
    config.variant === 'consistent' ? (tf.add(noise, u) as tf.Tensor2D) : u;
  const sample = (obs: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => oneStepAction(noise, net.forward(oneStepInput(obs, noise))));

  const objective = (batch: AgentBatch, critic: Critic): ActorObjective => {
    const rows = batch.obs.shape[0];
    const times = sampleTimePairs(timeRng, rows, config);
    const [r, t] = [timeColumn(times.r), timeColumn(times.t)];
    const point = tf.tidy(() => meanFlowPoint(batch.obs, batch.acts, gaussianNoise(noiseRng, rows, actDim), r, t, config.variant));
    return {
      // L = L_MF + η·L_Q with a_π the one-step action from fresh noise (spec §4.1 "Actor objective"); L_MF = mean ‖u_θ − sg(target)‖²
      // with the target computed off the tape from the same θ (and, for fd, from this very forward). The mean-flow point and
      // the one-step action's input go through u_θ in one pass (nn forwardRows).
      loss: () => {
        const noise = config.eta === 0 ? undefined : gaussianNoise(noiseRng, rows, actDim);
        const [u, uOneStep] = forwardRows(net, noise ? [point.input, oneStepInput(batch.obs, noise)] : [point.input]);
        const target = offTape(() => meanFlowTarget(net, point, r, t, config, u));
        const mf = meanSquaredError(u, target);
        const action = () => tf.clipByValue(oneStepAction(noise!, uOneStep), -1, 1) as tf.Tensor2D;
        return withQTerm({ loss: mf, extras: { 'actor/mf': mf } }, config.eta, critic, batch.obs, action, config.normaliseQ);
      },
      dispose: () => tf.dispose([point.input, point.tangent, point.velocity, r, t]),
    };
  };

  return { variables: net.variables, sample, objective };
}

export const om2p: AlgorithmDef<Om2pConfig> = {
  name: 'om2p',
  description: 'OM2P mean-flow policy: one-step actions, mean-flow identity loss + normalised Q term (spec §4.1)',
  defaults,
  presets: { cpu: {}, paper: flowPaperPreset },
  schema,
  create(space: AgentSpace, config: Om2pConfig, rng: Rng) {
    return createFlowAgents(space, config, rng, 1, (obsDim, actDim, agentRng, name) =>
      createMeanFlowActor(obsDim, actDim, config, agentRng, name),
    );
  },
};
