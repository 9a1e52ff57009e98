/**
 * The contracts of om2p-bench. `algorithms/` and `envs/` implement these; the harness reaches them only
 * through `registry.ts`. Every array is flat, row-major and batch-first unless a comment says otherwise.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng.ts';

/** A JSON Schema (2020-12) object, compiled with ajv. */
export type JsonSchema = Record<string, unknown>;

// ---------------------------------------------------------------- environments

/** Static description of a multi-agent task. */
export interface EnvSpec {
  /** Registry name, e.g. `simple_spread`. */
  name: string;
  /** Name of the task including options that change it, e.g. `simple_tag[prey=scripted]` (spec §1.5). */
  taskId: string;
  /** Every agent in the world, fixed ones (the prey) included, in world order. */
  numAgents: number;
  /** Indices of the agents that algorithms control; the others act by the environment's own policy. */
  learnedAgents: number[];
  /** Observation length per environment agent. */
  obsDims: number[];
  /** Action length per environment agent; actions live in [-1, 1]. */
  actDims: number[];
  /** Steps per episode (25 for MPE, 1000 for HalfCheetah). */
  episodeLength: number;
  /** Length of the global state vector, when the task has one (HalfCheetah: 17). */
  stateDim?: number;
}

/** What one batched step returns. Arrays are per environment agent, each `B × dim`. */
export interface StepResult {
  /** Observations after the step, per agent, `B × obsDims[i]`. */
  obs: Float32Array[];
  /** Actions actually applied, per agent (the fixed agents' included), `B × actDims[i]`. */
  actions: Float32Array[];
  /** Reward per agent, `B`. */
  rewards: Float32Array[];
  /** Per copy, this step's contribution to the evaluation return as spec §1.2–1.4 and §2 define it, `B`. */
  evalReward: Float32Array;
  /** Global state after the step, `B × stateDim` (only when `spec.stateDim` is set). */
  state?: Float32Array;
}

/** A serialisable snapshot of all B copies, enough to replay an episode exactly. */
export type EnvState = unknown;

/** B parallel copies of one task, stepped together. */
export interface Environment {
  readonly spec: EnvSpec;
  /** Number of parallel copies. */
  readonly batch: number;
  /**
   * Resets every copy; copy b draws its start state from its own stream seeded with `seeds[b]`, so B copies
   * equal B single-copy runs. Returns observations per agent, `B × obsDims[i]`.
   */
  reset(seeds: ArrayLike<number>): Float32Array[];
  /** Global state (`B × stateDim`) for tasks that have one. */
  state?(): Float32Array;
  /**
   * Steps every copy. `actions` holds one `B × actDims[i]` array per learned agent (fixed agents use their own
   * policy) or one per environment agent (overriding the fixed agents too, as replays do).
   */
  step(actions: Float32Array[]): StepResult;
  getState(): EnvState;
  setState(state: EnvState): void;
  /**
   * A picture of copy `copy` as it is now, for the report's episode viewer. Optional: an environment without it is
   * listed in the report without an animation.
   */
  scene?(copy: number): Scene;
  /** Frees native resources (MuJoCo); a no-op for pure-JS environments. */
  dispose(): void;
}

/**
 * What one environment copy looks like at one instant, in world units (x to the right, y up). The scenes of one
 * episode list the same shapes in the same order at every step, so a viewer can animate shape k from step to step.
 */
export interface Scene {
  /**
   * `fixed`: one view holds the whole episode (the MPE arenas); `follow`: the view tracks the shapes' horizontal
   * centre above a floor at height `floor` (a runner such as HalfCheetah).
   */
  camera: { mode: 'fixed' } | { mode: 'follow'; floor: number };
  /** Simulated seconds per environment step; the viewer plays episodes in real time. */
  stepSeconds: number;
  shapes: SceneShape[];
}

/**
 * A disc (an MPE entity, `trail` draws the path it has travelled) or a thick segment (a body part). `kind` says what
 * it is (MPE: `agent`, `landmark`, `predator`, `prey`, `obstacle`, `food`, `forest`; HalfCheetah: `torso`, `back-leg`,
 * `front-leg`) and picks its colour.
 */
export type SceneShape =
  | { type: 'circle'; kind: string; x: number; y: number; r: number; trail: boolean }
  | { type: 'segment'; kind: string; x1: number; y1: number; x2: number; y2: number; width: number };

/** A registered environment: `create` builds B copies from validated options. */
export interface EnvironmentDef<O = Record<string, unknown>> {
  name: string;
  description: string;
  /** Option defaults; user options are merged over these and validated against `schema`. */
  defaults: O;
  schema: JsonSchema;
  /** Batch sizes `bench env` measures (default [1, 100]). */
  benchBatches?: number[];
  /** How `datasets build` builds this task's datasets, per size preset; without them its datasets can only be imported. */
  datasetPresets?: Record<DatasetPresetName, DatasetPreset>;
  create(options: O, batch: number): Promise<Environment>;
}

/** Dataset size presets: `smoke` (seconds, for tests), `quick` (minutes, the main job), `paper` (OMAR's scale). */
export const DATASET_PRESETS = ['smoke', 'quick', 'paper'] as const;
export type DatasetPresetName = (typeof DATASET_PRESETS)[number];

/** One dataset size preset of an environment (spec §3.1 "Sizes and seeds"). */
export interface DatasetPreset {
  /** Transitions per collected level (random, medium, expert), rounded down to whole episodes. */
  transitions: number;
  budget: TrainingBudget;
  /** Environment copies stepped together while collecting. */
  collectCopies: number;
  /** The behaviour learner's config: one of its named presets (MATD3: `mpe`, `mujoco`) with overrides. */
  behaviour: { preset: string; overrides?: Record<string, unknown> };
}

/** The behaviour training of the dataset builder (spec §3.1). */
export interface TrainingBudget {
  /** Gradient updates at most (the cap: training stops earlier when an evaluation reaches the target return). */
  updates: number;
  /** A checkpoint at the first episode end after every `evalEvery` updates. */
  evalEvery: number;
  /**
   * Evaluation episodes per checkpoint, run as one batch with the rollout noise: enough that the standard error of a
   * checkpoint's mean is small against the gaps between checkpoints, which the expert and medium rules rank (each
   * environment's dataset presets say how many and why).
   */
  evalEpisodes: number;
  /** Environment copies stepped together while training. */
  envCopies: number;
  /** Environment transitions per update (spec §3.1: 25). */
  stepsPerUpdate: number;
  /** Transitions collected before the first update (at least a minibatch). */
  learningStarts: number;
  /**
   * How the untrained behaviour acts: absent = the initialised actors with exploration noise (MPE, as OMAR); 'uniform' =
   * U(−1, 1) actions (TD3's start_timesteps on MuJoCo). It acts for the first `learningStarts` transitions, is checkpoint 0
   * (R_rand of the medium threshold) and collects the random level.
   */
  randomBehaviour?: 'uniform';
}


// ---------------------------------------------------------------- datasets

/** The transitions of one agent; row k of every array belongs to the same transition. */
export interface AgentTransitions {
  obs: Float32Array; // N × obsDim
  acts: Float32Array; // N × actDim
  rews: Float32Array; // N
  nextObs: Float32Array; // N × obsDim
  dones: Float32Array; // N
}

/** An offline dataset in memory: per environment agent, aligned by row. */
export interface Dataset {
  env: string;
  level: string;
  size: number;
  agents: AgentTransitions[];
  /** Per-agent observation mean and std over the dataset (td3bc normalises with them). */
  obsMean: Float32Array[];
  obsStd: Float32Array[];
  /** Random and expert reference returns used for normalised scores (spec §1.6). */
  reference: { random: number; expert: number; source: string };
  /** sha256 of the card (or of the files for foreign data), recorded in results. */
  sha256: string;
  /** Std of the Gaussian noise its behaviour policy added to each action dimension, when its card records it. */
  behaviourNoise?: number;
}

/** One minibatch for one learned agent, as tensors owned by the harness (disposed after `update`). */
export interface AgentBatch {
  obs: tf.Tensor2D;
  acts: tf.Tensor2D;
  rews: tf.Tensor2D; // B × 1
  nextObs: tf.Tensor2D;
  dones: tf.Tensor2D; // B × 1
}

/** Global states s and s′ of a minibatch's rows (`B × stateDim`), for learners whose critics see the whole state. */
export interface StateBatch {
  states: tf.Tensor2D;
  nextStates: tf.Tensor2D;
}

// ---------------------------------------------------------------- algorithms

/** What an algorithm is told about the problem. */
export interface AgentSpace {
  /** Observation and action length per learned agent, in `EnvSpec.learnedAgents` order. */
  obsDims: number[];
  actDims: number[];
  /** Dataset statistics per learned agent (td3bc's observation normalisation). */
  obsMean: Float32Array[];
  obsStd: Float32Array[];
}

/** A trained or training set of per-agent learners. The caller owns nothing it did not create. */
export interface Agent {
  /**
   * One gradient update on one minibatch per learned agent; resolves to named losses (`critic/loss`, `actor/q`, ...).
   * Asynchronous because the losses are read back from the device without blocking; the update's kernels are all issued
   * by the time it returns its promise, so `batch` may be freed then.
   */
  update(batch: AgentBatch[]): Promise<Record<string, number>>;
  /** Actions for every learned agent, `B × actDims[i]` each, in [-1, 1]. One call serves all agents. */
  act(obs: Float32Array[], options: { deterministic: boolean }): Promise<Float32Array[]>;
  /** Network evaluations per sampled action (1 for om2p, T for diffusion, K for flow). */
  readonly networkEvalsPerAction: number;
  save(): Promise<NamedWeights>;
  load(weights: NamedWeights): void;
  dispose(): void;
}

/** Weights by variable name, as plain arrays with shapes (JSON-friendly). */
export type NamedWeights = Record<string, { shape: number[]; values: number[] }>;

/** Network size presets every algorithm declares: `cpu` (what fits a 2-core machine) and `paper` (the paper's scale). */
export const SIZE_PRESETS = ['cpu', 'paper'] as const;
export type SizePreset = (typeof SIZE_PRESETS)[number];

/** A registered algorithm. `C` is its resolved config type. */
export interface AlgorithmDef<C = Record<string, unknown>> {
  name: string;
  description: string;
  /** Defaults of the `cpu` preset; `presets.paper` overrides them for the paper scale. */
  defaults: C;
  presets: Record<SizePreset, Partial<C>>;
  /** JSON Schema of the config; unknown keys must be rejected (`additionalProperties: false`). */
  schema: JsonSchema;
  /** `rng` is the cell's `init` stream; algorithms fork it for noise and minibatch-independent draws. */
  create(space: AgentSpace, config: C, rng: Rng): Agent;
  /**
   * Updates after which the update's work repeats (TD3's policy delay); `bench algos` times whole cycles so that a per-update
   * figure is the cycle's mean rather than one mode of a bimodal schedule. @default 1
   */
  updateCycle?(config: C): number;
  /**
   * The policy draws no noise when it acts (`act` ignores `deterministic`): its protocol score is already its noise-free score,
   * so the harness evaluates it once per evaluation point and records no separate noise-free score. @default false
   */
  deterministicPolicy?: boolean;
}

// ---------------------------------------------------------------- cells and results

/** Training budget of one cell. */
export interface Budget {
  /** Gradient updates. */
  updates: number;
  /** Evaluate after update 1 and every `evalEvery` updates (spec §5). */
  evalEvery: number;
  /** Evaluation episodes, run as one batch. */
  episodes: number;
}

/** Everything that determines one run; its hash is the cell id. */
export interface CellSpec {
  algorithm: string;
  /** Overrides over the algorithm's preset (validated against its schema). */
  config: Record<string, unknown>;
  preset: SizePreset;
  env: string;
  envOptions: Record<string, unknown>;
  /** Dataset level (`expert`, ...) or a path to an OMAR-layout folder. */
  dataset: string;
  /** Dataset size preset it was built with (`smoke`, `quick`, `paper`). */
  datasetPreset: string;
  seed: number;
  budget: Budget;
}

/** Branded cell id: a hash of the canonical CellSpec. */
export type CellId = string & { readonly __brand: 'CellId' };

/** Mean and sd of the evaluation return over the episodes, raw and normalised (spec §1.6). */
export interface EvalScore {
  returnMean: number;
  returnSd: number;
  normalised: number;
}

/** One evaluation point: the protocol's score (fresh noise, spec §5) and what the cell measured about its sampler there. */
export interface EvalPoint extends EvalScore {
  update: number;
  /**
   * The same episodes (same start states) with the policy's noise set to zero (ε = 0; the chain from zero noise). Absent for
   * a deterministic policy (its score is already noise-free; `SamplerRecord.deterministic`) and in results written before it
   * was measured.
   */
  noiseFree?: EvalScore;
  /**
   * Per learned agent, the policy's action spread: sd over `SamplerRecord.spreadDraws` noise draws at each of a fixed set of
   * dataset observations, averaged over those observations and the action dimensions. Absent in older results.
   */
  actionSpread?: number[];
}

/** How a cell measured its policy's sampler (absent in results written before it was measured). */
export interface SamplerRecord {
  /** The algorithm declares its policy noise-free (`AlgorithmDef.deterministicPolicy`): its score is its noise-free score. */
  deterministic: boolean;
  /** Noise draws per observation (K) and dataset observations (N) of `EvalPoint.actionSpread`. */
  spreadDraws: number;
  spreadObservations: number;
  /** Std of the Gaussian noise the dataset's behaviour policy added to its actions, when the dataset card records it. */
  behaviourNoise?: number;
}

export interface RunEnvironment {
  backend: string;
  tfjsVersion: string;
  nodeVersion: string;
  harnessVersion: string;
  /** The checkout's commit (`-dirty` when tracked files differ from it); absent outside a git checkout and in older results. */
  gitCommit?: string;
  host: { cores: number; platform: string; arch: string };
  /** The GPU adapter of a `webgpu` run: which device (hardware or a software rasteriser) produced the numbers. */
  adapter?: WebgpuAdapter;
}

export interface Efficiency {
  /** Peak tensor bytes of one update (tf.profile). */
  updatePeakBytes: number;
  /** webgpu only: the most GPU buffer bytes in use during that update (resident weights included). */
  updatePeakGpuBytes?: number;
  /** Tensors and bytes one update leaves behind (0 when there is no leak). */
  updateLeakTensors: number;
  updateLeakBytes: number;
  /** Median milliseconds per update over the run. */
  updateMsMedian: number;
  updatesPerSecond: number;
  /** Median milliseconds to sample one batch of actions at batch 1 and at the evaluation batch. */
  actMsBatch1: number;
  actMsBatchEval: number;
  networkEvalsPerAction: number;
}

interface CellCommon {
  cellId: CellId;
  spec: CellSpec;
  /** `EnvSpec.taskId` of the environment the cell ran on: results of different tasks are never pooled. */
  taskId: string;
  /** Fully resolved algorithm config (preset + overrides). */
  resolvedConfig: Record<string, unknown>;
  configHash: string;
  datasetSha256: string;
  runtime: RunEnvironment;
  startedAt: string;
  wallMs: number;
}

export interface CellDone extends CellCommon {
  status: 'done';
  sampler?: SamplerRecord;
  curve: EvalPoint[];
  last: EvalPoint;
  best: EvalPoint;
  /** Loss values averaged over each evaluation interval, keyed by loss name. */
  losses: { update: number; values: Record<string, number> }[];
  efficiency: Efficiency;
}

export interface CellDiverged extends CellCommon {
  status: 'diverged';
  sampler?: SamplerRecord;
  /** Update at which a loss became NaN or infinite, and which one. */
  step: number;
  lossName: string;
  curve: EvalPoint[];
}

export interface CellFailed extends CellCommon {
  status: 'failed';
  error: string;
}

/** Results are a tagged union: every consumer handles divergence and failure. */
export type CellResult = CellDone | CellDiverged | CellFailed;

/** The adapter a WebGPU run used: recorded with its results. */
export interface WebgpuAdapter {
  /** Dawn's backend: `vulkan` or `opengles`. */
  dawnBackend: 'vulkan' | 'opengles';
  vendor: string;
  architecture: string;
  /** The device's name (Dawn reports the renderer here, e.g. `llvmpipe-llvm-15-0-6-256-bits-`). */
  device: string;
  /** The driver, as Dawn describes it (e.g. `OpenGL version OpenGL ES 3.2 Mesa 22.3.6`). */
  description: string;
  /** A CPU rasteriser (lavapipe, llvmpipe, SwiftShader): correct, not fast. */
  software: boolean;
  /** Dawn flags the instance was created with beyond the backend choice. */
  dawnFlags: string[];
}
