/**
 * `bench algos` core (spec §5 last bullet): every registered algorithm — and with `ablations`, the knobs that set its cost
 * (om2p's derivative, diffusion's T, flow's K) at both network sizes — measured one after the other in ONE process on
 * ONE synthetic dataset-shaped batch, so ratios against om2p share the machine state. Per variant: tf.profile peak bytes
 * of one update after a warm-up update, what it leaves behind, tinybench update latency, action-sampling latency at
 * batch 1 and at the evaluation batch, network evaluations per action. Knows algorithms only through the registry;
 * names appear only to pick the reference (om2p) and the ablation knobs.
 */
import { describeAdapter } from '../webgpu.ts';
import * as tf from '@tensorflow/tfjs';
import { algorithmNames, getAlgorithm, REFERENCE_ALGORITHM } from '../registry.ts';
import { createRng, type Rng } from '../../contracts/rng.ts';
import { resolveAlgorithmConfig, resolveEnvOptions } from '../resolve.ts';
import type { AgentBatch, AgentSpace, EnvSpec, RunEnvironment, SizePreset } from '../../contracts/types.ts';
import { actLatency, profileUpdate, type KernelStat } from './efficiency.ts';
import { recordKernelCalls, replayKernels, type KernelReplay } from './kernel-replay.ts';
import { measureLatencies } from './latency.ts';

/**
 * Minimum warm-up of each variant's update before it is timed. One warm-up update is not enough for the first variant of a
 * process: measured here, bc timed first took 3.5–3.8 ms per update and 2.1 ms when timed after td3bc (V8 still compiling
 * the hot wasm and tfjs code); a second of updates lets every variant start warm. At the paper size it is one update.
 */
const UPDATE_WARMUP_MS = 1000;

/** The cost knobs `--ablations` sweeps (spec §4.1 D, §4.2 T, §4.3 K), each at both presets. */
export const ABLATIONS: readonly { algorithm: string; key: string; values: readonly unknown[] }[] = [
  { algorithm: 'om2p', key: 'derivative', values: ['fd', 'jvp', 'zero'] },
  { algorithm: 'diffusion', key: 'steps', values: [5, 10, 20] },
  { algorithm: 'flow', key: 'flowSteps', values: [1, 5, 10] },
];

/** One configuration to measure: an algorithm at a preset with the variant's own overrides. */
export interface Variant {
  algorithm: string;
  preset: SizePreset;
  overrides: Record<string, unknown>;
  /** `algorithm[key=value]@preset`. */
  label: string;
}

export interface AlgoBenchOptions {
  /** Environment whose learned-agent dimensions shape the networks and the batch (default `simple_spread`). */
  env: string;
  envOptions?: Record<string, unknown>;
  preset: SizePreset;
  /** Algorithms to measure (default: every registered one). */
  algorithms?: string[];
  ablations: boolean;
  /** Measured updates per variant, after the warm-up and the profiled update. */
  updates: number;
  /** The evaluation batch (spec §5: E = 10 episodes, run as one batch). */
  evalBatch: number;
  seed: number;
  /** Overrides under every variant's own, by algorithm (tests shrink networks with them). */
  baseOverrides?: Record<string, Record<string, unknown>>;
  /** Also replay each variant's kernels without the framework (`replayKernels`): in order and each alone. */
  replayKernels?: boolean;
  /** Called before each variant is measured. */
  onVariant?: (variant: Variant, index: number, total: number) => void;
}

/** One row of `efficiency.csv` (schemas/csv-efficiency.schema.json). */
export interface EfficiencyRow {
  label: string;
  algorithm: string;
  preset: SizePreset;
  overrides?: string;
  taskId: string;
  learnedAgents: number;
  batchSize: number;
  networkEvalsPerAction: number;
  updatePeakBytes: number;
  /** webgpu only: the most GPU buffer bytes in use during the update, resident weights included (the paper's GPU memory). */
  updatePeakGpuBytes?: number;
  updateResidentBytes: number;
  updateLeakTensors: number;
  updateLeakBytes: number;
  /** Backend kernels per update (tf.profile; the mean over a cycle of alternating updates): at small sizes an update's cost is mostly their count. */
  kernelsPerUpdate: number;
  updateMsMedian: number;
  updateMsMad: number;
  updateSamples: number;
  updatesPerSecond: number;
  actMsBatch1: number;
  actMsBatch1Mad: number;
  actionsPerSecondBatch1: number;
  evalBatch: number;
  actMsBatchEval: number;
  actMsBatchEvalMad: number;
  actionsPerSecondBatchEval: number;
  memoryRatio?: number;
  gpuMemoryRatio?: number;
  updateTimeRatio?: number;
  samplingRatioBatch1?: number;
  samplingRatioBatchEval?: number;
  backend: string;
  tfjsVersion: string;
  nodeVersion: string;
  harnessVersion: string;
  hostCores: number;
  hostPlatform: string;
  hostArch: string;
  /** webgpu only: the adapter, as `info` names it. */
  gpuAdapter?: string;
}

/** A measured variant before ratios; `reference` marks om2p with its preset config. */
export type MeasuredRow = Omit<EfficiencyRow, 'memoryRatio' | 'updateTimeRatio' | 'samplingRatioBatch1' | 'samplingRatioBatchEval'> & {
  reference: boolean;
  /** The profiled update's kernels by name (`bench algos --profile` prints them). */
  kernels: KernelStat[];
  /** Per update, the kernels replayed without the framework (only with `replayKernels`). */
  replay?: KernelReplay;
};

/** What `bench algos --profile` prints per variant. */
export interface VariantProfile {
  label: string;
  kernels: KernelStat[];
  updateMsMedian: number;
  replay?: KernelReplay;
}

/** A variant that could not be measured, with the reason (the others still are). */
export interface VariantFailure {
  label: string;
  error: string;
}

/** `key=value` pairs joined by `;` (empty for no overrides). */
export function overridesText(overrides: Record<string, unknown>): string {
  return Object.entries(overrides)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
}

/** `algorithm[key=value]@preset`, e.g. `diffusion[steps=10]@paper`. */
export function variantLabel(algorithm: string, preset: SizePreset, overrides: Record<string, unknown>): string {
  const text = overridesText(overrides);
  return `${algorithm}${text ? `[${text}]` : ''}@${preset}`;
}

/**
 * The variants to measure: each algorithm at `preset`, then (with `ablations`) each ablation value at cpu and paper.
 * A variant whose resolved config equals an earlier one's (diffusion's default T = 5 is `diffusion[steps=5]`) is measured
 * once, under the more specific label.
 */
export function planVariants(options: Pick<AlgoBenchOptions, 'algorithms' | 'preset' | 'ablations' | 'baseOverrides'>): Variant[] {
  const algorithms = options.algorithms ?? algorithmNames();
  const candidates: Variant[] = algorithms.map((algorithm) => makeVariant(algorithm, options.preset, {}));
  if (options.ablations) {
    for (const preset of ['cpu', 'paper'] as const) {
      for (const { algorithm, key, values } of ABLATIONS) {
        if (!algorithms.includes(algorithm)) continue;
        for (const value of values) candidates.push(makeVariant(algorithm, preset, { [key]: value }));
      }
    }
  }
  const byConfig = new Map<string, Variant>();
  for (const variant of candidates) {
    const { configHash } = resolveAlgorithmConfig(variant.algorithm, variant.preset, configOverrides(variant, options.baseOverrides));
    const id = `${variant.algorithm}@${variant.preset}#${configHash}`;
    const earlier = byConfig.get(id);
    if (!earlier) byConfig.set(id, variant);
    else if (Object.keys(earlier.overrides).length === 0) Object.assign(earlier, { overrides: variant.overrides, label: variant.label });
  }
  return [...byConfig.values()];
}

function makeVariant(algorithm: string, preset: SizePreset, overrides: Record<string, unknown>): Variant {
  getAlgorithm(algorithm); // an unknown name fails here, listing the known ones
  return { algorithm, preset, overrides, label: variantLabel(algorithm, preset, overrides) };
}

function configOverrides(variant: Variant, base: AlgoBenchOptions['baseOverrides']): Record<string, unknown> {
  return { ...(base?.[variant.algorithm] ?? {}), ...variant.overrides };
}

/** The learned agents' dimensions of the environment (built with one copy, then freed). */
export async function learnedSpace(env: string, envOptions: Record<string, unknown> = {}): Promise<{ spec: EnvSpec; space: AgentSpace }> {
  const { def, options } = resolveEnvOptions(env, envOptions);
  const instance = await def.create(options, 1);
  const spec = instance.spec;
  instance.dispose();
  const obsDims = spec.learnedAgents.map((i) => spec.obsDims[i]);
  return {
    spec,
    space: {
      obsDims,
      actDims: spec.learnedAgents.map((i) => spec.actDims[i]),
      // identity normalisation: td3bc's statistics do not change its cost
      obsMean: obsDims.map((d) => new Float32Array(d)),
      obsStd: obsDims.map((d) => new Float32Array(d).fill(1)),
    },
  };
}

/**
 * A dataset-shaped minibatch per learned agent: obs, next obs and actions uniform in [−1, 1], rewards N(0, 1), an
 * episode end with probability 1/25 (MPE episodes are 25 steps). Only shapes matter for cost. Caller owns the tensors.
 */
export function syntheticBatch(space: AgentSpace, rows: number, rng: Rng): AgentBatch[] {
  const uniform = (dim: number) => tf.tensor2d(Float32Array.from({ length: rows * dim }, () => rng.range(-1, 1)), [rows, dim]);
  const column = (draw: () => number) => tf.tensor2d(Float32Array.from({ length: rows }, draw), [rows, 1]);
  return space.obsDims.map((obsDim, i) => ({
    obs: uniform(obsDim),
    acts: uniform(space.actDims[i]),
    rews: column(() => rng.normal()),
    nextObs: uniform(obsDim),
    dones: column(() => (rng.uniform() < 1 / 25 ? 1 : 0)),
  }));
}

function runtimeColumns(
  runtime: RunEnvironment,
): Pick<EfficiencyRow, 'backend' | 'tfjsVersion' | 'nodeVersion' | 'harnessVersion' | 'hostCores' | 'hostPlatform' | 'hostArch' | 'gpuAdapter'> {
  const { backend, tfjsVersion, nodeVersion, harnessVersion, host, adapter } = runtime;
  return {
    backend, tfjsVersion, nodeVersion, harnessVersion, hostCores: host.cores, hostPlatform: host.platform, hostArch: host.arch,
    ...(adapter === undefined ? {} : { gpuAdapter: describeAdapter(adapter) }),
  };
}

/** Measures one variant on a fresh agent; the agent and its batch are freed before returning, so variants never overlap. */
export async function measureVariant(
  variant: Variant,
  target: { spec: EnvSpec; space: AgentSpace },
  options: AlgoBenchOptions,
  runtime: RunEnvironment,
): Promise<MeasuredRow> {
  const { def, config, configHash } = resolveAlgorithmConfig(variant.algorithm, variant.preset, configOverrides(variant, options.baseOverrides));
  const batchSize = config.batchSize;
  if (typeof batchSize !== 'number') throw new Error(`${variant.label}: the config has no numeric batchSize to shape the batch`);
  const rng = createRng(options.seed);
  const agent = def.create(target.space, config, rng.fork('init'));
  const batch = syntheticBatch(target.space, batchSize, rng.fork('batch'));
  try {
    await agent.update(batch); // warm-up: optimiser slots and lazily built state exist before the profiled update
    // Updates whose work alternates (a delayed actor step) are profiled, timed and replayed in whole cycles.
    const cycle = def.updateCycle?.(config) ?? 1;
    const profile = await profileUpdate(agent, batch, cycle);
    const { update } = await measureLatencies(
      { update: () => agent.update(batch) },
      { iterations: Math.ceil(options.updates / cycle), callsPerSample: cycle, timeMs: 0, warmupIterations: 1, warmupTimeMs: UPDATE_WARMUP_MS, async: true },
    );
    // Recorded after the timing, so the timed updates ran undisturbed.
    const replay = options.replayKernels
      ? replayKernels(recordKernelCalls(() => { for (let k = 0; k < cycle; k++) agent.update(batch); }), cycle)
      : undefined;
    const [act1, actEval] = await actLatency(agent, target.space.obsDims, [1, options.evalBatch]);
    return {
      label: variant.label,
      algorithm: variant.algorithm,
      preset: variant.preset,
      overrides: overridesText(variant.overrides) || undefined,
      taskId: target.spec.taskId,
      learnedAgents: target.space.obsDims.length,
      batchSize,
      networkEvalsPerAction: agent.networkEvalsPerAction,
      updatePeakBytes: profile.peakBytes,
      ...(profile.peakGpuBytes === undefined ? {} : { updatePeakGpuBytes: profile.peakGpuBytes }),
      updateResidentBytes: profile.residentBytes,
      updateLeakTensors: profile.leakTensors,
      updateLeakBytes: profile.leakBytes,
      kernelsPerUpdate: profile.kernelCount,
      updateMsMedian: update.medianMs,
      updateMsMad: update.madMs,
      updateSamples: update.samples,
      updatesPerSecond: update.perSecond,
      actMsBatch1: act1.medianMs,
      actMsBatch1Mad: act1.madMs,
      actionsPerSecondBatch1: act1.perSecond,
      evalBatch: options.evalBatch,
      actMsBatchEval: actEval.medianMs,
      actMsBatchEvalMad: actEval.madMs,
      actionsPerSecondBatchEval: actEval.perSecond * options.evalBatch,
      ...runtimeColumns(runtime),
      reference: variant.algorithm === REFERENCE_ALGORITHM && configHash === referenceConfigHash(variant.preset, options.baseOverrides),
      kernels: profile.kernels,
      replay,
    };
  } finally {
    agent.dispose();
    tf.dispose(batch.flatMap((b) => [b.obs, b.acts, b.rews, b.nextObs, b.dones]));
  }
}

function referenceConfigHash(preset: SizePreset, base: AlgoBenchOptions['baseOverrides']): string {
  return resolveAlgorithmConfig(REFERENCE_ALGORITHM, preset, base?.[REFERENCE_ALGORITHM] ?? {}).configHash;
}

/**
 * Adds each row's ratios to the reference row of its preset: memory = peak bytes / reference peak bytes, update time and
 * sampling time likewise (> 1: the row costs more than om2p). Rows of a preset without a reference get none.
 */
export function withRatios(rows: readonly MeasuredRow[]): EfficiencyRow[] {
  return rows.map(({ reference: _reference, kernels: _kernels, replay: _replay, ...row }) => {
    const ref = rows.find((r) => r.reference && r.preset === row.preset);
    if (!ref) return row;
    return {
      ...row,
      memoryRatio: row.updatePeakBytes / ref.updatePeakBytes,
      ...(row.updatePeakGpuBytes !== undefined && ref.updatePeakGpuBytes !== undefined
        ? { gpuMemoryRatio: row.updatePeakGpuBytes / ref.updatePeakGpuBytes }
        : {}),
      updateTimeRatio: row.updateMsMedian / ref.updateMsMedian,
      samplingRatioBatch1: row.actMsBatch1 / ref.actMsBatch1,
      samplingRatioBatchEval: row.actMsBatchEval / ref.actMsBatchEval,
    };
  });
}

/**
 * Plans and measures every variant in this process (backend already chosen), then adds ratios. A variant that throws is
 * reported in `failures` and the others are still measured.
 */
export async function benchAlgorithms(
  options: AlgoBenchOptions,
  runtime: RunEnvironment,
): Promise<{ rows: EfficiencyRow[]; failures: VariantFailure[]; spec: EnvSpec; profiles: VariantProfile[] }> {
  const target = await learnedSpace(options.env, options.envOptions);
  const variants = planVariants(options);
  const measured: MeasuredRow[] = [];
  const failures: VariantFailure[] = [];
  for (const [index, variant] of variants.entries()) {
    options.onVariant?.(variant, index, variants.length);
    try {
      measured.push(await measureVariant(variant, target, options, runtime));
    } catch (error) {
      failures.push({ label: variant.label, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const profiles = measured.map(({ label, kernels, updateMsMedian, replay }) => ({ label, kernels, updateMsMedian, replay }));
  return { rows: withRatios(measured), failures, spec: target.spec, profiles };
}
