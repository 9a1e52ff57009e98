/**
 * Trained agents on disk (schema `om2p-bench/policy-weights`): a finished cell keeps its agent as
 * `cells/<cellId>.weights.json`, written atomically before the result file so a finished cell's weights are never
 * half written. The file records everything needed to rebuild the agent without the dataset — algorithm, preset and
 * resolved config, environment and resolved options, observation and action sizes, and the dataset's observation mean
 * and std (td3bc normalises with them) — then every variable `Agent.save()` returns (actors, critics, targets) as its
 * shape and its float32 values, little-endian, base64: exact, and about a quarter of the size of decimal JSON.
 */
import { ConfigError } from '../../contracts/errors.ts';
import { readJsonFile, writeFileAtomic } from '../files.ts';
import { canonicalJson } from '../canonical.ts';
import { algorithmNames } from '../registry.ts';
import { resolveAlgorithmConfig } from '../resolve.ts';
import { weightsPath } from './store.ts';
import { validateOrThrow } from '../schema.ts';
import type { Rng } from '../../contracts/rng.ts';
import type { Agent, AgentSpace, CellSpec, EnvSpec, NamedWeights, SizePreset } from '../../contracts/types.ts';

export const POLICY_SCHEMA = 'om2p-bench/policy-weights';

export interface PolicyFile {
  cellId: string;
  algorithm: string;
  preset: SizePreset;
  /** The resolved config (preset and overrides applied) the agent was built with. */
  config: Record<string, unknown>;
  configHash: string;
  env: string;
  /** The environment's resolved options. */
  envOptions: Record<string, unknown>;
  taskId: string;
  dataset: string;
  datasetSha256: string;
  seed: number;
  /** Gradient updates the agent received. */
  updates: number;
  /** `AgentSpace` as the agent was created with it, observation statistics as plain arrays. */
  space: { obsDims: number[]; actDims: number[]; obsMean: number[][]; obsStd: number[][] };
  weights: Record<string, { shape: number[]; float32: string }>;
}

/** What a cell knows when training ends: the parts of the file that are not the weights. */
export interface TrainedCell {
  cellId: string;
  spec: CellSpec;
  config: Record<string, unknown>;
  configHash: string;
  envOptions: Record<string, unknown>;
  taskId: string;
  datasetSha256: string;
  space: AgentSpace;
}

/** The file for an agent trained by a cell (the agent stays the caller's). */
export function policyFile(cell: TrainedCell, agent: Agent): PolicyFile {
  const { spec, space } = cell;
  return {
    cellId: cell.cellId,
    algorithm: spec.algorithm,
    preset: spec.preset,
    config: cell.config,
    configHash: cell.configHash,
    env: spec.env,
    envOptions: cell.envOptions,
    taskId: cell.taskId,
    dataset: spec.dataset,
    datasetSha256: cell.datasetSha256,
    seed: spec.seed,
    updates: spec.budget.updates,
    space: { obsDims: space.obsDims, actDims: space.actDims, obsMean: space.obsMean.map((m) => Array.from(m)), obsStd: space.obsStd.map((s) => Array.from(s)) },
    weights: encodeWeights(agent.save()),
  };
}

function encodeWeights(weights: NamedWeights): PolicyFile['weights'] {
  return Object.fromEntries(
    Object.entries(weights).map(([name, { shape, values }]) => {
      const floats = Float32Array.from(values);
      return [name, { shape, float32: Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64') }];
    }),
  );
}

function decodeWeights(weights: PolicyFile['weights'], source: string): NamedWeights {
  return Object.fromEntries(
    Object.entries(weights).map(([name, { shape, float32 }]) => {
      const bytes = Buffer.from(float32, 'base64');
      const size = shape.reduce((a, b) => a * b, 1);
      if (bytes.byteLength !== 4 * size) {
        throw new ConfigError(`/weights/${name}/float32`, `holds ${bytes.byteLength} bytes, its shape ${shape.join('×')} needs ${4 * size} (float32)`, source);
      }
      const floats = new Float32Array(size);
      new Uint8Array(floats.buffer).set(bytes);
      return [name, { shape, values: Array.from(floats) }];
    }),
  );
}

/** Validates and writes a policy file atomically (`harness/files.ts`: an owner-tagged temporary file, then a rename). */
export function writePolicyFile(path: string, file: PolicyFile): void {
  validateOrThrow(POLICY_SCHEMA, file, `weights of cell ${file.cellId}`);
  writeFileAtomic(path, `${JSON.stringify(file)}\n`);
}

/** `CellContext.onTrained` for a results folder: keeps each finished cell's agent as `<out>/cells/<cellId>.weights.json`. */
export function keepPoliciesIn(out: string): (policy: PolicyFile) => void {
  return (policy) => writePolicyFile(weightsPath(out, policy.cellId), policy);
}

/**
 * Reads and validates a policy file; a missing one is "no such file: <path> (policy file)", one that does not parse
 * "<path>: not valid JSON: …", a malformed one an error naming the file and the field.
 */
export function readPolicyFile(path: string): PolicyFile {
  return validateOrThrow<PolicyFile>(POLICY_SCHEMA, readJsonFile(path, 'policy file'), path);
}

/** What a user may state about a policy (`env rollout --algo --env --network-preset --set --option`); each must agree with the file. */
export interface PolicyClaims {
  algorithm?: string;
  env?: string;
  preset?: SizePreset;
  config?: Record<string, unknown>;
  envOptions?: Record<string, unknown>;
}

/** Throws a ConfigError naming the first stated variable that differs from what the weights were trained with. */
export function checkClaims(file: PolicyFile, claims: PolicyClaims, source: string): void {
  const differs = (option: string, stated: unknown, recorded: unknown) => {
    if (canonicalJson(stated) !== canonicalJson(recorded)) {
      throw new ConfigError(option, `${JSON.stringify(stated)} differs from the ${JSON.stringify(recorded)} these weights were trained with`, source);
    }
  };
  if (claims.algorithm !== undefined) differs('--algo', claims.algorithm, file.algorithm);
  if (claims.env !== undefined) differs('--env', claims.env, file.env);
  if (claims.preset !== undefined) differs('--network-preset', claims.preset, file.preset);
  for (const [key, value] of Object.entries(claims.config ?? {})) differs(`--set ${key}`, value, file.config[key]);
  for (const [key, value] of Object.entries(claims.envOptions ?? {})) differs(`--option ${key}`, value, file.envOptions[key]);
}

/**
 * Rebuilds the trained agent of `file` for environment `envSpec` (the caller disposes it). The recorded config is
 * validated against the algorithm's schema as registered now; `rng` seeds the agent's own noise when acting.
 */
export function restoreAgent(file: PolicyFile, envSpec: EnvSpec, rng: Rng, source: string): Agent {
  if (!algorithmNames().includes(file.algorithm)) {
    throw new ConfigError('/algorithm', `${file.algorithm} is not registered here (an algorithm from a plugin needs its --plugin)`, source);
  }
  const { def } = resolveAlgorithmConfig(file.algorithm, file.preset, {});
  validateOrThrow(def.schema, file.config, `${source} /config`);
  const learned = envSpec.learnedAgents;
  const sizes = { obsDims: learned.map((i) => envSpec.obsDims[i]), actDims: learned.map((i) => envSpec.actDims[i]) };
  for (const key of ['obsDims', 'actDims'] as const) {
    if (canonicalJson(sizes[key]) !== canonicalJson(file.space[key])) {
      throw new ConfigError(`/space/${key}`, `${JSON.stringify(file.space[key])}, but ${envSpec.taskId} has ${JSON.stringify(sizes[key])}`, source);
    }
  }
  const space: AgentSpace = { ...sizes, obsMean: file.space.obsMean.map((m) => Float32Array.from(m)), obsStd: file.space.obsStd.map((s) => Float32Array.from(s)) };
  const agent = def.create(space, file.config, rng);
  try {
    agent.load(decodeWeights(file.weights, source));
    return agent;
  } catch (error) {
    agent.dispose();
    throw new Error(`${source}: ${(error as Error).message}`);
  }
}
