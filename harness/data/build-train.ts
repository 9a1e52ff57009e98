/**
 * Online MATD3 training of the behaviour policies (spec §3.1, §4.5): B environment copies run whole episodes with
 * exploration noise into an episode-contiguous replay buffer; one update per `stepsPerUpdate` environment transitions
 * after the first `learningStarts`; a checkpoint (actor weights, evaluation return with the rollout noise, replay cut) at the end of
 * the first episode after every `evalEvery` updates, plus one of the initial and one of the final policy. Training stops at
 * the first checkpoint whose evaluation reaches the task's target return, or at the budget's `updates` (the cap; `stopAfter`).
 * Choice: learning starts after batch × episode length transitions on MPE (25,600, as the original MADDPG code).
 * Choice: the replay buffer keeps every training transition (OMAR's 1e6 buffer never fills at these budgets), and
 * checkpoints fall on episode ends so that the replay cut is whole episodes.
 */
import * as tf from '@tensorflow/tfjs';
import type { Matd3, Matd3Config, Matd3Space } from '../registry.ts';
import { DivergedError } from '../../contracts/errors.ts';
import type { Rng } from '../../contracts/rng.ts';
import { mean, sd } from '../stats/descriptive.ts';
import type { Environment, EnvSpec, NamedWeights, TrainingBudget } from '../../contracts/types.ts';
import { collectEpisodes, runEpisodes, uniformPolicy, type Policy } from './build-rollout.ts';
import { stopAfter, type StopReason } from './build-levels.ts';
import { TransitionStore } from './build-store.ts';
import { createThreadedMatd3 } from './matd3-threads.ts';

/** One evaluated policy along training. */
export interface CheckpointSummary {
  /** Updates done when it was taken (0 = the initial, random policy). */
  update: number;
  /** Whole episodes in the replay buffer at that moment (the medium-replay cut). */
  replayEpisodes: number;
  returnMean: number;
  returnSd: number;
}

export interface Checkpoint extends CheckpointSummary {
  actors: NamedWeights;
}

/** Where training reports: every checkpoint (with the line describing it) and every update, for a log or a progress bar. */
export interface TrainingProgress {
  checkpoint(point: CheckpointSummary, line: string): void;
  update(updates: number): void;
}

export interface TrainingResult {
  checkpoints: Checkpoint[];
  /** Why training stopped after the last checkpoint. */
  stop: StopReason;
  replay: TransitionStore;
  /** The learner's config, for the card. */
  config: Matd3Config;
}

/**
 * Trains the behaviour policies until an evaluation reaches `target` (undefined: none) or `budget.updates` are done. `env` has
 * `budget.envCopies` copies, `evalEnv` `budget.evalEpisodes`; `rng` is the training stream (forked per purpose); `progress`
 * hears of every checkpoint and update; the agents learn on `threads` threads (the same results for any count). Throws
 * `DivergedError` when a loss stops being finite.
 */
export async function trainBehaviour(
  env: Environment,
  evalEnv: Environment,
  config: Matd3Config,
  budget: TrainingBudget,
  target: number | undefined,
  rng: Rng,
  progress: TrainingProgress,
  threads = 1,
): Promise<TrainingResult> {
  const spec = env.spec;
  const learned = spec.learnedAgents;
  const agent = createThreadedMatd3(matd3Space(spec, config), config, rng.fork('init'), threads);
  const [envRng, batchRng, evalRng, warmupRng] = ['env', 'batches', 'eval', 'warmup'].map((name) => rng.fork(name));
  const blockTransitions = budget.envCopies * spec.episodeLength;
  const learningStarts = Math.max(budget.learningStarts, config.batchSize);
  const transitionsNeeded = learningStarts + budget.updates * budget.stepsPerUpdate;
  const replay = new TransitionStore(spec, Math.ceil(transitionsNeeded / blockTransitions) * budget.envCopies);
  const started = Date.now();
  let updates = 0;
  let losses: Record<string, number> = {};
  const learnerPolicy: Policy = (obs) => agent.act(obs, true);
  const randomPolicy = untrainedBehaviour(budget, spec, warmupRng, learnerPolicy);
  const behaviour: Policy = (obs) => (replay.transitions < learningStarts ? randomPolicy : learnerPolicy)(obs);
  const checkpoint = async (): Promise<Checkpoint> => {
    const policy = updates === 0 ? randomPolicy : learnerPolicy;
    const returns = (await collectEpisodes(evalEnv, policy, budget.evalEpisodes, evalRng)).episodeReturns();
    const point = { update: updates, replayEpisodes: replay.episodes, returnMean: mean(returns), returnSd: returns.length > 1 ? sd(returns) : 0 };
    const lossText = Object.entries(losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
    const targetText = target === undefined ? '' : ` (target ${target})`;
    progress.checkpoint(point, `  update ${updates}/${budget.updates}: return ${point.returnMean.toFixed(1)} ± ${point.returnSd.toFixed(1)}${targetText}${lossText ? ` (${lossText})` : ''}, ${((Date.now() - started) / 1000).toFixed(0)} s (${cpuSeconds().toFixed(0)} s CPU)`);
    return { ...point, actors: await agent.saveActors() };
  };
  const updateWhileDue = async () => {
    const due = Math.min(budget.updates, Math.floor((replay.transitions - learningStarts) / budget.stepsPerUpdate));
    while (updates < due) {
      losses = { ...losses, ...(await updateOnce(agent, replay, config.batchSize, batchRng, learned)) }; // actor keys only on delayed steps
      updates++;
      for (const [name, value] of Object.entries(losses)) if (!Number.isFinite(value)) throw new DivergedError(updates, name, value);
      progress.update(updates);
    }
  };
  try {
    const checkpoints = [await checkpoint()];
    let lastCheckpoint = 0;
    for (;;) {
      await runEpisodes(env, behaviour, replay, budget.envCopies, envRng, updateWhileDue);
      if (updates - lastCheckpoint < budget.evalEvery && updates < budget.updates) continue;
      const point = await checkpoint();
      checkpoints.push(point);
      lastCheckpoint = updates;
      const stop = stopAfter(point, target, budget.updates);
      if (stop) return { checkpoints, stop, replay, config };
    }
  } finally {
    agent.dispose(); // also on divergence: stops the agents' worker threads
  }
}

/** How the untrained behaviour acts (`budget.randomBehaviour`): uniform actions, or `initial` (the initialised actors with noise). */
export function untrainedBehaviour(budget: TrainingBudget, spec: EnvSpec, rng: Rng, initial: Policy): Policy {
  return budget.randomBehaviour === 'uniform' ? uniformPolicy(spec, rng) : initial;
}

/** The learned agents' spaces, with the global state when the config's critics condition on it. */
export function matd3Space(spec: EnvSpec, config: Matd3Config): Matd3Space {
  const learned = spec.learnedAgents;
  if (config.criticState && !spec.stateDim) throw new Error(`matd3 criticState: ${spec.taskId} has no global state`);
  return {
    obsDims: learned.map((i) => spec.obsDims[i]),
    actDims: learned.map((i) => spec.actDims[i]),
    ...(config.criticState ? { stateDim: spec.stateDim } : {}),
  };
}

async function updateOnce(agent: Matd3, replay: TransitionStore, rows: number, rng: Rng, learned: number[]): Promise<Record<string, number>> {
  const { agents, states } = replay.sample(rows, rng, learned);
  const losses = await agent.update(agents, states);
  tf.dispose([...agents.flatMap((b) => [b.obs, b.acts, b.rews, b.nextObs, b.dones]), ...(states ? [states.states, states.nextStates] : [])]);
  return losses;
}

/** CPU seconds this process has used: the build's cost independent of other processes on a shared machine. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
