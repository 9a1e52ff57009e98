/**
 * Flow-matching policy with a Q term (spec §4 and §4.3), the multi-step baseline next to OM2P: a velocity field v_θ(o, x, τ)
 * trained by conditional flow matching, actions by K Euler steps from ε, and η·L_Q differentiated through all K unrolled steps
 * (that backward pass through the chain is what costs memory and time). Independent learners with twin critics.
 * **Choice** K = 10, η = 0.1, normalised Q term, update order as in `flow-family.ts`; cpu preset 2×64, batch 256 (2-core
 * wasm), paper preset 4×512. Losses: `actor/fm`, `actor/q`, `actor/q_mean`, `critic/loss`, `critic/target_mean`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/rng.ts';
import type { AgentBatch, AlgorithmDef, AgentSpace } from '../contracts/types.ts';
import type { Critic } from './nn/critic.ts';
import {
  clippedAction,
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

export interface FlowConfig extends FlowCommonConfig {
  /** η, weight of L_Q in the actor objective, ≥ 0 (spec §4: tuned per dataset over {0.01, 0.1, 1, 10}). */
  eta: number;
  /** K, Euler steps per action (network evaluations per action), ≥ 1 (spec §4.3: 10). */
  flowSteps: number;
}

const defaults: FlowConfig = { ...flowCommonDefaults, eta: 0.1, flowSteps: 10 };

const schema = flowConfigSchema(defaults, {
  eta: { type: 'number', minimum: 0 },
  flowSteps: { type: 'integer', minimum: 1 },
});

/** The flow actor: v_θ, sampled by K Euler steps; L = L_FM + η·L_Q(clip(flow_K(o, ε'))) (spec §4.3). */
function createFlowActor(obsDim: number, actDim: number, config: FlowConfig, rng: Rng, name: string): FlowActor {
  const { net, velocity } = createVelocityField(obsDim, actDim, config.hidden, rng.fork('actor'), `${name}/actor`);
  const noiseRng = rng.fork('noise');
  const sample = (obs: tf.Tensor2D, noise: tf.Tensor2D) => eulerSample(velocity, obs, noise, config.flowSteps);

  const objective = (batch: AgentBatch, critic: Critic): ActorObjective => ({
    loss: () => {
      const fm = flowMatchingLoss(velocity, batch.obs, batch.acts, noiseRng);
      // The Q gradient flows back through the K unrolled Euler steps.
      const action = () => clippedAction(sample, batch.obs, gaussianNoise(noiseRng, batch.obs.shape[0], actDim));
      return withQTerm({ loss: fm, extras: { 'actor/fm': fm } }, config.eta, critic, batch.obs, action, config.normaliseQ);
    },
    dispose: () => {},
  });

  return { variables: net.variables, sample, objective };
}

export const flow: AlgorithmDef<FlowConfig> = {
  name: 'flow',
  description: 'Flow-matching policy, K Euler steps per action, Q gradient through the unrolled steps (spec §4.3)',
  defaults,
  presets: { cpu: {}, paper: flowPaperPreset },
  schema,
  create(space: AgentSpace, config: FlowConfig, rng: Rng) {
    return createFlowAgents(space, config, rng, config.flowSteps, (obsDim, actDim, agentRng, name) =>
      createFlowActor(obsDim, actDim, config, agentRng, name),
    );
  },
};
