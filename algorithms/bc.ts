/**
 * Behaviour cloning (spec §4.4 "bc"): a deterministic MLP policy with a tanh output, regressed onto the dataset actions.
 * The floor every offline method must beat; on a multi-modal dataset it averages the modes (test/algorithms/bc.test.ts).
 * cpu preset: 2×64 ReLU, batch 256 (every algorithm's cpu width, docs/design.md "cpu preset"). paper preset: 4×512 GELU, the
 * paper-scale settings of spec §4. **Choice**: lr 3e-4 in both presets (spec §4 paper-scale lr).
 * Logged keys: `actor/bc` = mean over batch and action dimensions of (π(o) − a)² before the step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/rng.ts';
import type { AgentBatch, AgentSpace, AlgorithmDef } from '../contracts/types.ts';
import type { ActivationName } from './nn/activations.ts';
import { independentAgents, type Learner } from './nn/independent.ts';
import { createMlp, type Mlp } from './nn/mlp.ts';
import { createAdam } from './nn/optim.ts';
import { readScalars } from './nn/readback.ts';
import { configKeySchemas, configSchema } from './nn/config-schema.ts';
import { meanSquaredError } from './nn/losses.ts';

export interface BcConfig {
  /** Policy hidden layer widths. */
  hidden: number[];
  /** Hidden activation of the policy. */
  activation: ActivationName;
  /** Adam learning rate (> 0). */
  learningRate: number;
  /** Minibatch size drawn by the harness's sampler (≥ 1). */
  batchSize: number;
}

const defaults: BcConfig = { hidden: [64, 64], activation: 'relu', learningRate: 3e-4, batchSize: 256 };

const schema = configSchema(defaults, {
  hidden: configKeySchemas.layers,
  activation: configKeySchemas.activation,
  learningRate: configKeySchemas.learningRate,
  batchSize: configKeySchemas.batchSize,
});

/** L_BC = mean over batch and action dimensions of (π(o) − a)² (spec §4 "Losses"). */
function bcLoss(policy: Mlp, batch: AgentBatch): tf.Scalar {
  return tf.tidy(() => meanSquaredError(policy.forward(batch.obs), batch.acts));
}

function createLearner(space: AgentSpace, config: BcConfig, rng: Rng, agentIndex: number): Learner {
  const policy = createMlp(
    {
      inputDim: space.obsDims[agentIndex],
      hidden: config.hidden,
      outputDim: space.actDims[agentIndex],
      activation: config.activation,
      outputActivation: 'tanh', // actions live in [−1, 1]
    },
    rng.fork('actor'),
    `agent${agentIndex}/actor`,
  );
  const optimizer = createAdam(policy.variables, { learningRate: config.learningRate });
  return {
    update: (batch) => readScalars(optimizer.step('actor/bc', () => ({ loss: bcLoss(policy, batch) }))),
    act: (obs) => policy.forward(obs),
    variables: policy.variables,
    dispose: () => {
      optimizer.dispose();
      tf.dispose(policy.variables);
    },
  };
}

export const bc: AlgorithmDef<BcConfig> = {
  name: 'bc',
  description: 'Behaviour cloning: deterministic tanh MLP regressed onto dataset actions (spec §4.4)',
  defaults,
  presets: { cpu: {}, paper: { hidden: [512, 512, 512, 512], activation: 'gelu' } },
  schema,
  deterministicPolicy: true, // acts by π(o), no noise: its score is already noise-free
  create: (space, config, rng) =>
    independentAgents(space, (i) => createLearner(space, config, rng.fork(`agent${i}`), i), 1),
};
