/**
 * Flow Q-learning (Park, Li and Levine, arXiv 2502.02538), spec §4 and §4.3, as independent learners with twin critics: a flow
 * v_θ(o, x, τ) trained by flow matching only (no Q gradient), and a one-step policy μ_ω(o, z) distilled from the K-step flow
 * with weight α and trained against the critic on clip(μ_ω). Next actions and evaluation use μ_ω: one network evaluation.
 * Checked against seohongpark/fql `agents/fql.py` (same noise z for the distillation target and the Q term).
 * **Choice** α = 10, K = 10, normalised Q term with weight 1 (FQL's form; α carries the trade-off), update order as in
 * `flow-family.ts`; cpu preset 2×64, batch 256 (2-core wasm), paper preset 4×512.
 * Losses: `actor/fm`, `actor/distill`, `actor/q`, `actor/q_mean`, `critic/loss`, `critic/target_mean`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/rng.ts';
import type { AgentBatch, AlgorithmDef, AgentSpace } from '../contracts/types.ts';
import type { Critic } from './nn/critic.ts';
import { createMlp } from './nn/mlp.ts';
import {
  createFlowAgents,
  createVelocityField,
  eulerSample,
  flowCommonDefaults,
  flowConfigSchema,
  flowPaperPreset,
  flowMatchingLoss,
  gaussianNoise,
  withQTerm,
  type ActorObjective,
  type FlowActor,
  type FlowCommonConfig,
} from './flow-family.ts';
import { meanSquaredError } from './nn/losses.ts';
import { concatColumns } from './nn/columns.ts';

export interface FqlConfig extends FlowCommonConfig {
  /** α, weight of the distillation term mean ‖μ_ω − sg(flow_K)‖², ≥ 0 (spec §4.3: 10). */
  alpha: number;
  /** K, Euler steps of the flow that μ_ω is distilled from, ≥ 1 (spec §4.3: 10). */
  flowSteps: number;
}

const defaults: FqlConfig = { ...flowCommonDefaults, alpha: 10, flowSteps: 10 };

const schema = flowConfigSchema(defaults, {
  alpha: { type: 'number', minimum: 0 },
  flowSteps: { type: 'integer', minimum: 1 },
});

/** Distillation: mean ‖μ_ω(o, z) − sg(flow_K(o, z))‖² (spec §4.3); `flowTarget` came from outside the tape. Caller owns it. */
function distillationLoss(oneStepAction: tf.Tensor2D, flowTarget: tf.Tensor2D): tf.Scalar {
  return meanSquaredError(oneStepAction, flowTarget);
}

/** FQL's actor: the flow θ and the one-step policy ω, both GELU MLPs; the policy's action is μ_ω(o, z). */
function createFqlActor(obsDim: number, actDim: number, config: FqlConfig, rng: Rng, name: string): FlowActor {
  const flowField = createVelocityField(obsDim, actDim, config.hidden, rng.fork('flow'), `${name}/flow`);
  const oneStep = createMlp(
    { inputDim: obsDim + actDim, hidden: config.hidden, outputDim: actDim, activation: 'gelu' },
    rng.fork('actor'),
    `${name}/actor`,
  );
  const noiseRng = rng.fork('noise');
  const sample = (obs: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => oneStep.forward(concatColumns([obs, noise])));

  const objective = (batch: AgentBatch, critic: Critic): ActorObjective => {
    const z = gaussianNoise(noiseRng, batch.obs.shape[0], actDim);
    const flowTarget = eulerSample(flowField.velocity, batch.obs, z, config.flowSteps);
    return {
      // L = L_FM(θ) + α·distillation(ω) + L_Q(ω) on clip(μ_ω(o, z)); θ gets no Q gradient (spec §4.3).
      loss: () => {
        const fm = flowMatchingLoss(flowField.velocity, batch.obs, batch.acts, noiseRng);
        const mu = sample(batch.obs, z);
        const distill = distillationLoss(mu, flowTarget);
        const loss = tf.add(fm, tf.mul(config.alpha, distill)) as tf.Scalar;
        const base = { loss, extras: { 'actor/fm': fm, 'actor/distill': distill } };
        return withQTerm(base, 1, critic, batch.obs, () => tf.clipByValue(mu, -1, 1) as tf.Tensor2D, config.normaliseQ);
      },
      dispose: () => tf.dispose([z, flowTarget]),
    };
  };

  return { variables: [...flowField.net.variables, ...oneStep.variables], sample, objective };
}

export const fql: AlgorithmDef<FqlConfig> = {
  name: 'fql',
  description: 'Flow Q-learning: flow-matching BC flow + one-step policy distilled from it and trained on Q (spec §4.3)',
  defaults,
  presets: { cpu: {}, paper: flowPaperPreset },
  schema,
  create(space: AgentSpace, config: FqlConfig, rng: Rng) {
    return createFlowAgents(space, config, rng, 1, (obsDim, actDim, agentRng, name) =>
      createFqlActor(obsDim, actDim, config, agentRng, name),
    );
  },
};
