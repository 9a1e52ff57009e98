/**
 * One cell: load the dataset, train the algorithm for the budget, evaluate after update 1 and every `evalEvery` updates,
 * measure memory and speed, and return a `CellResult`. A NaN/Inf loss ends the cell as `diverged`; any other error as `failed`.
 * A cell that finishes hands its trained agent to `onTrained` as a policy file before the agent is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { runEnvironment } from '../backend.ts';
import { DivergedError } from '../../contracts/errors.ts';
import { createRng, type Rng } from '../../contracts/rng.ts';
import type { Agent, AgentSpace, AlgorithmDef, CellFailed, CellResult, CellSpec, Dataset, EvalPoint, EvalScore, Environment, SamplerRecord } from '../../contracts/types.ts';
import { actLatency, profileUpdate, type UpdateProfile } from '../measure/efficiency.ts';
import { evaluateEpisodes, normalisedScore } from '../measure/evaluate.ts';
import { actionSpread, SPREAD_DRAWS, SPREAD_OBSERVATIONS, spreadObservations } from '../measure/sampler.ts';
import { createSampler } from '../data/sampler.ts';
import { openCellDataset } from './dataset-for-cell.ts';
import { policyFile, type PolicyFile } from './policy-file.ts';
import { cellId } from './expand.ts';
import { resolveAlgorithmConfig, resolveEnvOptions } from '../resolve.ts';

export interface CellContext {
  dataDir: string;
  /** Called after every evaluation with the update number (progress reporting); an error it throws ends the cell as failed. */
  onEval?: (point: EvalPoint) => void;
  /** Called after every update (a claim's heartbeat: the loop blocks the event loop for the whole cell). */
  onUpdate?: () => void;
  /** Receives the trained agent of a finished cell (not of a diverged one), e.g. to keep it as `<cellId>.safetensors`. */
  onTrained?: (policy: PolicyFile) => void;
}

/** Runs one cell to completion; never throws for training problems (they are part of the result). */
export async function runCell(spec: CellSpec, context: CellContext): Promise<CellResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const common = { cellId: cellId(spec), spec, startedAt, runtime: runEnvironment() };
  let env: Environment | undefined;
  let probeEnv: Environment | undefined;
  let sampler: SamplerRecord | undefined;
  let partial = unresolved(spec);
  const curve: EvalPoint[] = [];
  try {
    const { def: envDef, options } = resolveEnvOptions(spec.env, spec.envOptions);
    const { def, config, configHash } = resolveAlgorithmConfig(spec.algorithm, spec.preset, spec.config);
    env = await envDef.create(options, spec.budget.episodes);
    const dataset = openCellDataset(spec, env.spec, context.dataDir);
    partial = { taskId: env.spec.taskId, resolvedConfig: config, configHash, datasetSha256: dataset.sha256 };
    const space = agentSpace(env, dataset);
    const trained = { cellId: common.cellId, spec, config, configHash, envOptions: options, taskId: env.spec.taskId, datasetSha256: dataset.sha256, space };
    const keep = async (agent: Agent) => context.onTrained?.(await policyFile(trained, agent));
    sampler = samplerRecord(def, dataset);
    probeEnv = sampler.deterministic ? undefined : await envDef.create(options, spec.budget.episodes);
    const probe = samplerProbe(spec, def, space, config, dataset, env.spec.learnedAgents, probeEnv);
    const outcome = await train(spec, env, dataset, def.create(space, config, createRng(spec.seed).fork('init')), config, curve, context, keep, probe);
    const wallMs = performance.now() - t0;
    return { status: 'done', ...common, ...partial, sampler, ...outcome, curve, wallMs };
  } catch (error) {
    const wallMs = performance.now() - t0;
    if (error instanceof DivergedError) {
      return { status: 'diverged', ...common, ...partial, ...(sampler ? { sampler } : {}), step: error.step, lossName: error.lossName, curve, wallMs };
    }
    return failedResult(spec, startedAt, error instanceof Error ? error.message : String(error), wallMs, partial);
  } finally {
    env?.dispose();
    probeEnv?.dispose();
  }
}

/** What the cell's results say about how its sampler was measured. */
function samplerRecord(def: AlgorithmDef<any>, dataset: Dataset): SamplerRecord {
  return {
    deterministic: def.deterministicPolicy === true,
    spreadDraws: SPREAD_DRAWS,
    spreadObservations: SPREAD_OBSERVATIONS,
    ...(dataset.behaviourNoise === undefined ? {} : { behaviourNoise: dataset.behaviourNoise }),
  };
}

/** An evaluation point's sampler measurements of the trained agent as it is now; `episodes` gives the protocol's reset stream. */
type SamplerProbe = (agent: Agent, episodes: () => Rng) => Promise<Pick<EvalPoint, 'noiseFree' | 'actionSpread'>>;

/**
 * The noise-free score (on `probeEnv`, absent for a deterministic policy) and the action spread, both measured on a probe
 * agent (measure/sampler.ts says why) built from the cell's `sampler` stream, never from the streams training and the
 * protocol's evaluation draw from. The observations are drawn once, so every evaluation point measures the same ones; the
 * probe is rebuilt from the same stream each time, so the points also share their noise.
 */
function samplerProbe(
  spec: CellSpec,
  def: AlgorithmDef<any>,
  space: AgentSpace,
  config: Record<string, unknown>,
  dataset: Dataset,
  learnedAgents: readonly number[],
  probeEnv: Environment | undefined,
): SamplerProbe {
  const rng = createRng(spec.seed).fork('sampler');
  const observations = spreadObservations(dataset, learnedAgents, SPREAD_OBSERVATIONS, rng.fork('observations'));
  return async (agent, episodes) => {
    const probe = def.create(space, config, rng.fork('probe'));
    try {
      probe.load(await agent.save());
      const spread = await actionSpread(probe, observations, space.obsDims, SPREAD_DRAWS);
      if (!probeEnv) return { actionSpread: spread };
      const { mean, sd } = await evaluateEpisodes(probeEnv, probe, episodes(), true);
      const noiseFree: EvalScore = { returnMean: mean, returnSd: sd, normalised: normalisedScore(mean, dataset.reference) };
      return { noiseFree, actionSpread: spread };
    } finally {
      probe.dispose();
    }
  };
}

type Resolved = Pick<CellFailed, 'taskId' | 'resolvedConfig' | 'configHash' | 'datasetSha256'>;

/** What a result says about a cell that failed before its environment, config or dataset were resolved. */
function unresolved(spec: CellSpec): Resolved {
  return { taskId: spec.env, resolvedConfig: spec.config, configHash: '', datasetSha256: '' };
}

/** The result of a failed cell; `known` is what was resolved before the failure. Also used for a worker that died. */
export function failedResult(spec: CellSpec, startedAt: string, error: string, wallMs: number, known: Resolved = unresolved(spec)): CellFailed {
  return { status: 'failed', cellId: cellId(spec), spec, startedAt, runtime: runEnvironment(), ...known, error, wallMs };
}

function agentSpace(env: Environment, dataset: Dataset): AgentSpace {
  const learned = env.spec.learnedAgents;
  return {
    obsDims: learned.map((i) => env.spec.obsDims[i]),
    actDims: learned.map((i) => env.spec.actDims[i]),
    obsMean: learned.map((i) => dataset.obsMean[i]),
    obsStd: learned.map((i) => dataset.obsStd[i]),
  };
}

type TrainOutcome = Pick<Extract<CellResult, { status: 'done' }>, 'last' | 'best' | 'losses' | 'efficiency'>;

/**
 * The training loop; throws DivergedError on a non-finite loss. `curve` is filled as it goes (kept on divergence). `keep`
 * sees the trained agent after the last update, before it is disposed.
 */
async function train(
  spec: CellSpec,
  env: Environment,
  dataset: Dataset,
  agent: Agent,
  config: Record<string, unknown>,
  curve: EvalPoint[],
  context: CellContext,
  keep: (agent: Agent) => Promise<void>,
  probe: SamplerProbe,
): Promise<TrainOutcome> {
  const rng = createRng(spec.seed);
  const sampler = createSampler(dataset, env.spec.learnedAgents, Number(config.batchSize), rng.fork('batches'));
  const evalRng = rng.fork('env');
  const { updates, evalEvery } = spec.budget;
  const losses: TrainOutcome['losses'] = [];
  const updateMs: number[] = [];
  let sums: Record<string, number> = {};
  let counted = 0;
  let profile: UpdateProfile | undefined;
  const evaluate = async (update: number) => {
    // The stochastic score first and from the very streams it always drew from (the protocol's, and reproducible against
    // results written before the sampler was measured); the noise-free episodes start from the same states.
    const episodes = () => evalRng.fork(`eval-${update}`);
    const { mean, sd } = await evaluateEpisodes(env, agent, episodes());
    const point: EvalPoint = { update, returnMean: mean, returnSd: sd, normalised: normalisedScore(mean, dataset.reference), ...(await probe(agent, episodes)) };
    curve.push(point);
    context.onEval?.(point);
  };
  try {
    for (let update = 1; update <= updates; update++) {
      const batch = sampler.next();
      try {
        let values: Record<string, number>;
        // Update 3 is profiled: optimiser slots exist by then, so anything it leaves behind is a leak.
        if (update === Math.min(3, updates)) {
          profile = await profileUpdate(agent, batch);
          values = profile.losses;
        } else {
          const start = performance.now();
          values = await agent.update(batch);
          updateMs.push(performance.now() - start);
        }
        for (const [name, value] of Object.entries(values)) {
          if (!Number.isFinite(value)) throw new DivergedError(update, name, value);
          sums[name] = (sums[name] ?? 0) + value;
        }
        counted++;
        context.onUpdate?.();
      } finally {
        tf.dispose(batch.flatMap((b) => [b.obs, b.acts, b.rews, b.nextObs, b.dones]));
      }
      if (update === 1 || update % evalEvery === 0 || update === updates) {
        if (counted > 0) losses.push({ update, values: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / counted])) });
        sums = {};
        counted = 0;
        await evaluate(update);
      }
    }
    await keep(agent);
    const [batch1, batchEval] = await actLatency(agent, env.spec.learnedAgents.map((i) => env.spec.obsDims[i]), [1, spec.budget.episodes]);
    const sorted = [...updateMs].sort((a, b) => a - b);
    const medianMs = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
    const last = curve[curve.length - 1];
    const best = curve.reduce((a, b) => (b.returnMean > a.returnMean ? b : a));
    return {
      last,
      best,
      losses,
      efficiency: {
        updatePeakBytes: profile?.peakBytes ?? 0,
        ...(profile?.peakGpuBytes === undefined ? {} : { updatePeakGpuBytes: profile.peakGpuBytes }),
        updateLeakTensors: profile?.leakTensors ?? 0,
        updateLeakBytes: profile?.leakBytes ?? 0,
        updateMsMedian: medianMs,
        updatesPerSecond: medianMs > 0 ? 1000 / medianMs : 0,
        actMsBatch1: batch1.medianMs,
        actMsBatchEval: batchEval.medianMs,
        networkEvalsPerAction: agent.networkEvalsPerAction,
      },
    };
  } finally {
    agent.dispose();
  }
}
