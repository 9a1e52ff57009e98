/**
 * The public API of om2p-bench: `import { ... } from 'om2p-bench'` (package.json `exports`). It is what a baseline or an
 * environment written in its own repository needs — the contracts, the seeded random streams, the shared network blocks,
 * and the tfjs instance the harness runs on — plus the few calls that run cells and reports from a script.
 *
 * Left out on purpose: the CLI's commands (use the `om2p-bench` command), dataset building and import (use `datasets`),
 * the concrete algorithms and environments (reach them by name through the registry, as the harness itself does), and
 * the nn internals (dense layer modes, initialisers), which may change with the speed work.
 */

/**
 * The tfjs namespace the harness uses. Import tfjs from here, not from your own `@tensorflow/tfjs`: a second copy is a
 * second engine, with no backend chosen and its own variables, and tensors cannot cross between the two.
 */
export * as tf from '@tensorflow/tfjs';

// Contracts (contracts/types.ts documents every field).
export type {
  Agent,
  AgentBatch,
  AgentSpace,
  AlgorithmDef,
  Budget,
  CellResult,
  CellSpec,
  Environment,
  EnvironmentDef,
  EnvSpec,
  JsonSchema,
  NamedWeights,
  Scene,
  SceneShape,
  SizePreset,
  StateBatch,
  StepResult,
} from './contracts/types.ts';
export { createRng, type Rng } from './contracts/rng.ts';
export { ConfigError } from './contracts/errors.ts';

// Shared network blocks: the dense layer behind them has the explicit-transpose gradient that makes wasm training fast.
export { createMlp, type Mlp, type MlpOptions } from './algorithms/nn/mlp.ts';
export { createCritic, aggregateHeads, type Critic, type CriticOptions } from './algorithms/nn/critic.ts';
export { createAdam, polyakUpdate, copyVariables, type Adam, type AdamOptions } from './algorithms/nn/optim.ts';
export { readScalars } from './algorithms/nn/readback.ts';
export { tdTarget, criticRegressionLoss } from './algorithms/nn/td.ts';
export { independentAgents, type Learner } from './algorithms/nn/independent.ts';
export { configKeySchemas } from './algorithms/nn/config-schema.ts';
export { sinusoidalEmbedding } from './algorithms/nn/embedding.ts';
export type { ActivationName } from './algorithms/nn/activations.ts';

// Registry and running from a script.
export { registerAlgorithm, registerEnvironment, getAlgorithm, getEnvironment, algorithmNames, environmentNames, loadPlugin } from './harness/registry.ts';
export { initBackend } from './harness/backend.ts';
export { runCell, type CellContext } from './harness/run/cell.ts';
export { writeReport, type ReportOptions } from './harness/report/index.ts';
