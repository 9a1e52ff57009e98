/**
 * Example plugin: "noisy-bc", behaviour cloning on dataset actions perturbed by Gaussian noise (a smoothing regulariser),
 * acting with that same noise when asked for a stochastic action. Load it with
 * `om2p-bench --plugin examples/plugin-algorithm.ts ...`; docs/adding-a-baseline.md walks through it.
 * A plugin is any module exporting an `AlgorithmDef`; it imports the contracts, the shared network blocks and tfjs
 * itself from the package, `om2p-bench`, exactly as a plugin in its own repository does.
 * Logged keys: `actor/bc` = mean over batch and action dimensions of (π(o) − (a + ξ))², ξ ~ N(0, noiseStd²).
 */
import {
  configKeySchemas,
  createAdam,
  createMlp,
  independentAgents,
  readScalars,
  tf,
  type AgentBatch,
  type AgentSpace,
  type AlgorithmDef,
  type Learner,
  type Mlp,
  type Rng,
} from 'om2p-bench';

export interface NoisyBcConfig {
  /** Policy hidden layer widths. */
  hidden: number[];
  /** Std of the Gaussian noise added to dataset actions in training and to actions when acting stochastically (≥ 0). */
  noiseStd: number;
  /** Adam learning rate (> 0). */
  learningRate: number;
  /** Minibatch size drawn by the harness's sampler (≥ 1). */
  batchSize: number;
}

/** L = mean (π(o) − (a + ξ))², ξ ~ N(0, σ²): regression onto noisy dataset actions. */
function noisyBcLoss(policy: Mlp, batch: AgentBatch, noiseStd: number, rng: Rng): tf.Scalar {
  return tf.tidy(() => {
    const xi = tf.randomNormal(batch.acts.shape, 0, noiseStd, 'float32', rng.nextSeed());
    return tf.mean(tf.squaredDifference(policy.forward(batch.obs), tf.add(batch.acts, xi))) as tf.Scalar;
  });
}

function createLearner(space: AgentSpace, config: NoisyBcConfig, rng: Rng, agentIndex: number): Learner {
  const policy = createMlp(
    { inputDim: space.obsDims[agentIndex], hidden: config.hidden, outputDim: space.actDims[agentIndex], outputActivation: 'tanh' },
    rng.fork('actor'),
    `agent${agentIndex}/actor`,
  );
  const optimizer = createAdam(policy.variables, { learningRate: config.learningRate });
  const [trainNoise, actNoise] = [rng.fork('train-noise'), rng.fork('act-noise')];
  return {
    update: (batch) => readScalars(optimizer.step('actor/bc', () => ({ loss: noisyBcLoss(policy, batch, config.noiseStd, trainNoise) }))),
    act: (obs, deterministic) =>
      tf.tidy(() => {
        const mean = policy.forward(obs);
        if (deterministic) return mean;
        const xi = tf.randomNormal(mean.shape, 0, config.noiseStd, 'float32', actNoise.nextSeed());
        return tf.clipByValue(tf.add(mean, xi), -1, 1) as tf.Tensor2D; // actions must stay in [−1, 1]
      }),
    variables: policy.variables,
    dispose: () => {
      optimizer.dispose();
      tf.dispose(policy.variables);
    },
  };
}

export const noisyBc: AlgorithmDef<NoisyBcConfig> = {
  name: 'noisy-bc',
  description: 'Example plugin: behaviour cloning on Gaussian-perturbed dataset actions',
  defaults: { hidden: [256, 256], noiseStd: 0.1, learningRate: 3e-4, batchSize: 256 },
  presets: { cpu: {}, paper: { hidden: [512, 512, 512, 512] } },
  schema: {
    type: 'object',
    additionalProperties: false, // unknown or misspelt keys are errors
    properties: {
      hidden: configKeySchemas.layers,
      noiseStd: { type: 'number', minimum: 0 },
      learningRate: configKeySchemas.learningRate,
      batchSize: configKeySchemas.batchSize,
    },
  },
  create: (space, config, rng) =>
    independentAgents(space, (i) => createLearner(space, config, rng.fork(`agent${i}`), i), 1),
};
