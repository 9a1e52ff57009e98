/**
 * Trained agents on disk: a finished cell keeps its agent as `cells/<cellId>.safetensors` (`safetensors.ts`), written
 * atomically before the result file so a finished cell's weights are never half written. The file's `__metadata__`
 * records everything needed to rebuild the agent without the dataset (schema `om2p-bench/policy-metadata`: algorithm,
 * preset and resolved config, environment and resolved options, observation and action sizes, the dataset's observation
 * mean and std — td3bc normalises with them); its tensors are every variable `Agent.save()` returns (actors, critics,
 * targets) as float32, so PyTorch or JAX users can load an agent with `safetensors` alone. Agents written before this
 * format, `<cellId>.weights.json` (schema `om2p-bench/policy-weights`: the same fields, each tensor float32 base64), are
 * still read; `agents convert` rewrites them.
 */
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { ConfigError } from '../../contracts/errors.ts';
import { readJsonFile, requireExists, writeFileAtomic } from '../files.ts';
import { canonicalJson } from '../canonical.ts';
import { algorithmNames } from '../registry.ts';
import { resolveAlgorithmConfig } from '../resolve.ts';
import { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.ts';
import { LEGACY_WEIGHTS_SUFFIX, weightsPath } from './store.ts';
import { validateOrThrow } from '../schema.ts';
import type { Rng } from '../../contracts/rng.ts';
import type { Agent, AgentSpace, CellSpec, EnvSpec, SizePreset } from '../../contracts/types.ts';

export const POLICY_METADATA_SCHEMA = 'om2p-bench/policy-metadata';
/** The JSON format agents were kept in before safetensors. */
export const LEGACY_POLICY_SCHEMA = 'om2p-bench/policy-weights';

/** What a kept agent records besides its weights (`__metadata__` of its safetensors file). */
export interface PolicyMetadata {
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
}

/** A kept agent: its metadata and every saved variable by name. */
export interface PolicyFile extends PolicyMetadata {
  weights: Record<string, Tensor>;
}

/** A `<cellId>.weights.json` file: the metadata and every variable as its shape and float32 little-endian base64. */
interface LegacyPolicyJson extends PolicyMetadata {
  weights: Record<string, { shape: number[]; float32: string }>;
}

/**
 * Metadata fields held as text in `__metadata__` (safetensors allows strings only); the others (config, envOptions,
 * seed, updates, space) are held as their JSON.
 */
const TEXT_FIELDS = new Set(['cellId', 'algorithm', 'preset', 'configHash', 'env', 'taskId', 'dataset', 'datasetSha256']);

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
export async function policyFile(cell: TrainedCell, agent: Agent): Promise<PolicyFile> {
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
    weights: Object.fromEntries(Object.entries(await agent.save()).map(([name, { shape, values }]) => [name, { shape, values: Float32Array.from(values) }])),
  };
}

/** The bytes of a policy's safetensors file (its metadata validated first). */
export function encodePolicy(file: PolicyFile): Buffer {
  const { weights, ...metadata } = file;
  validateOrThrow(POLICY_METADATA_SCHEMA, metadata, `weights of cell ${file.cellId}`);
  const text = Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, TEXT_FIELDS.has(key) ? (value as string) : JSON.stringify(value)]));
  return encodeSafetensors({ tensors: weights, metadata: text });
}

/** Validates and writes a policy's safetensors file atomically (`harness/files.ts`: a temporary file, then a rename). */
export function writePolicyFile(path: string, file: PolicyFile): void {
  writeFileAtomic(path, encodePolicy(file));
}

/** `CellContext.onTrained` for a results folder: keeps each finished cell's agent as `<out>/cells/<cellId>.safetensors`. */
export function keepPoliciesIn(out: string): (policy: PolicyFile) => void {
  return (policy) => writePolicyFile(weightsPath(out, policy.cellId), policy);
}

/** Whether `path` names a kept agent in the JSON format of before (`*.json`); any other name is read as safetensors. */
export function isLegacyPolicyPath(path: string): boolean {
  return path.endsWith('.json');
}

/**
 * Reads and validates a kept agent, safetensors or (`*.json`) the JSON format of before. A missing file is
 * "no such file: <path> (policy file)"; a malformed one an error naming the file and the field.
 */
export function readPolicyFile(path: string): PolicyFile {
  if (isLegacyPolicyPath(path)) return readLegacyPolicy(path);
  requireExists(path, 'policy file');
  return decodePolicy(readFileSync(path), path);
}

/** Parses the bytes of a policy's safetensors file; `source` names it in errors. */
export function decodePolicy(bytes: Uint8Array, source: string): PolicyFile {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (TEXT_FIELDS.has(key)) fields[key] = value;
    else {
      try {
        fields[key] = JSON.parse(value);
      } catch (error) {
        throw new ConfigError(`/__metadata__/${key}`, `is not valid JSON: ${(error as Error).message}`, source);
      }
    }
  }
  const described = validateOrThrow<PolicyMetadata>(POLICY_METADATA_SCHEMA, fields, `${source} __metadata__`);
  return { ...described, weights: tensors };
}

function readLegacyPolicy(path: string): PolicyFile {
  const file = validateOrThrow<LegacyPolicyJson>(LEGACY_POLICY_SCHEMA, readJsonFile(path, 'policy file'), path);
  const weights = Object.fromEntries(
    Object.entries(file.weights).map(([name, { shape, float32 }]) => {
      const bytes = Buffer.from(float32, 'base64');
      const size = shape.reduce((a, b) => a * b, 1);
      if (bytes.byteLength !== 4 * size) {
        throw new ConfigError(`/weights/${name}/float32`, `holds ${bytes.byteLength} bytes, its shape ${shape.join('×')} needs ${4 * size} (float32)`, path);
      }
      const values = new Float32Array(size);
      new Uint8Array(values.buffer).set(bytes);
      return [name, { shape, values }];
    }),
  );
  return { ...file, weights };
}

/** What `convertLegacyPolicy` did: the file it read, the file it wrote, and both sizes in bytes. */
export interface Conversion {
  from: string;
  to: string;
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * Rewrites a kept agent of the JSON format (`<x>.weights.json`) as `<x>.safetensors`, reads the new file back and checks
 * that it holds the same metadata and the same bytes in every tensor, then removes the JSON file. A failed check leaves
 * the JSON file in place and throws, naming what differs.
 */
export function convertLegacyPolicy(path: string): Conversion {
  if (!path.endsWith(LEGACY_WEIGHTS_SUFFIX)) throw new ConfigError('', `not a kept agent of the JSON format (its name should end in ${LEGACY_WEIGHTS_SUFFIX})`, path);
  const to = `${path.slice(0, -LEGACY_WEIGHTS_SUFFIX.length)}.safetensors`;
  const file = readLegacyPolicy(path);
  writePolicyFile(to, file);
  const back = decodePolicy(readFileSync(to), to);
  const { weights, ...metadata } = file;
  const { weights: backWeights, ...backMetadata } = back;
  if (canonicalJson(backMetadata) !== canonicalJson(metadata)) throw new Error(`${to}: its metadata differs from ${path}'s; ${path} kept`);
  for (const [name, { shape, values }] of Object.entries(weights)) {
    const read = backWeights[name];
    const same = read && canonicalJson(read.shape) === canonicalJson(shape) && Buffer.from(read.values.buffer).equals(Buffer.from(values.buffer));
    if (!same) throw new Error(`${to}: tensor ${name} differs from ${path}'s; ${path} kept`);
  }
  if (Object.keys(backWeights).length !== Object.keys(weights).length) throw new Error(`${to}: holds other tensors than ${path}; ${path} kept`);
  const bytesBefore = statSync(path).size;
  unlinkSync(path);
  return { from: path, to, bytesBefore, bytesAfter: statSync(to).size };
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
 * Rebuilds the trained agent of `file` for environment `envSpec` (the caller disposes it). The recorded config, keys added
 * since taken from the defaults, is validated against the algorithm's schema as registered now; `rng` seeds the agent's own noise when acting.
 */
export function restoreAgent(file: PolicyFile, envSpec: EnvSpec, rng: Rng, source: string): Agent {
  if (!algorithmNames().includes(file.algorithm)) {
    throw new ConfigError('/algorithm', `${file.algorithm} is not registered here (an algorithm from a plugin needs its --plugin)`, source);
  }
  const { def } = resolveAlgorithmConfig(file.algorithm, file.preset, {});
  // A key the file lacks was added to the algorithm after the file was written; its default keeps the behaviour the agent
  // was trained with (a new key's default never changes an algorithm).
  const config = { ...def.defaults, ...file.config };
  validateOrThrow(def.schema, config, `${source} /config`);
  const learned = envSpec.learnedAgents;
  const sizes = { obsDims: learned.map((i) => envSpec.obsDims[i]), actDims: learned.map((i) => envSpec.actDims[i]) };
  for (const key of ['obsDims', 'actDims'] as const) {
    if (canonicalJson(sizes[key]) !== canonicalJson(file.space[key])) {
      throw new ConfigError(`/space/${key}`, `${JSON.stringify(file.space[key])}, but ${envSpec.taskId} has ${JSON.stringify(sizes[key])}`, source);
    }
  }
  const space: AgentSpace = { ...sizes, obsMean: file.space.obsMean.map((m) => Float32Array.from(m)), obsStd: file.space.obsStd.map((s) => Float32Array.from(s)) };
  const agent = def.create(space, config, rng);
  try {
    agent.load(Object.fromEntries(Object.entries(file.weights).map(([name, { shape, values }]) => [name, { shape, values: Array.from(values) }])));
    return agent;
  } catch (error) {
    agent.dispose();
    throw new Error(`${source}: ${(error as Error).message}`);
  }
}
