/**
 * Size presets of the dataset builder (SPEC §3.1 "Sizes and seeds"): transitions per level and the behaviour-training
 * budget, per environment family. `smoke` takes seconds (tests, CI); `paper` is OMAR's scale (1M transitions per level).
 * `quick`, measured on simple_spread N=3, seed 0, wasm (docs/datasets.md): all five levels in 11.9 CPU-minutes; the target
 * (OMAR's 531) reached at update 12,501 (evaluation 533.4), dataset returns random 175 / medium-replay 241 / medium 351 /
 * medium-expert 370 / expert 537 (OMAR: 160 / 204 / 273 / — / 531). HalfCheetah `quick`, seed 0, built before the
 * best-checkpoint rule (last checkpoint as expert, 10 evaluation episodes),
 * 120k updates on 2 threads: 47.5 min wall (81 CPU-min), random −278 / medium-replay 303 / medium 1206 / medium-expert 1322 /
 * expert 2347 (OMAR: −283 / 424 / 1569 / — / 3339).
 * MATD3 hyperparameters are SPEC §3.1's generator defaults (`MATD3_PRESETS`); only `smoke` shrinks minibatch (MPE) or width
 * (HalfCheetah) to run in seconds.
 */
import { MATD3_PRESETS, type Matd3Config } from '../../algorithms/matd3.ts';
import type { TrainingBudget } from './build-train.ts';

export const BUILD_PRESETS = ['smoke', 'quick', 'paper'] as const;
export type BuildPresetName = (typeof BUILD_PRESETS)[number];

export interface BuildPreset {
  /** Transitions per collected level (random, medium, expert), rounded down to whole episodes. */
  transitions: number;
  budget: TrainingBudget;
  /** Environment copies stepped together while collecting. */
  collectCopies: number;
  /** The behaviour learner's config. */
  matd3: Matd3Config;
}

type Family = 'mpe' | 'mujoco';

/** The original MADDPG code starts learning when the buffer holds batch × episode length = 1024 × 25 transitions. */
const MADDPG_LEARNING_STARTS = 1024 * 25;
/** TD3's `start_timesteps` on MuJoCo. */
const TD3_LEARNING_STARTS = 25_000;

/**
 * Checkpoints on MPE: every 100 updates, each evaluated over 1,000 episodes. Training stops at the first checkpoint that
 * reaches the target and the expert is the best, so a checkpoint's mean must be precise enough to rank them and the step
 * between checkpoints small enough not to overshoot. Its standard error is sd/√n, sd being the spread of one policy's
 * episode returns: ≈ 70 for spread's expert, so ±2.2. Measured on spread (quick, seed 0) with checkpoints every 250 updates
 * over 500 episodes (±3.1): the return gained 5–35 per checkpoint just below 531 and training stopped at an evaluation of
 * 533.5 whose policy scores 541.7 (4,000 episodes), 5 below the top of the ±3 % band; every 100 updates over 1,000 the
 * steps above 480 are −6 … +12 (median |step| 3.2) and it stopped at 533.4, a policy scoring 536.9.
 * An evaluation (1,000 episodes of 25 steps, one batch) costs ≈ 0.3 CPU-seconds, 100 updates ≈ 6.
 */
const MPE_EVAL_EVERY = 100;
const MPE_EVAL_EPISODES = 1_000;
/**
 * HalfCheetah's quick expert: sd ≈ 760 (958 … 3,262 over 100 episodes), so 10 episodes gave ±240, as large as the swings
 * between checkpoints; 50 give ±107, for about 4 more minutes of 1000-step rollouts over the 120 checkpoints of `quick`.
 */
const MUJOCO_EVAL_EPISODES = 50;

/** Environments that are not MPE tasks; everything else uses the MPE generator defaults. */
const FAMILY_OF: Record<string, Family> = { 'halfcheetah-2x3': 'mujoco' };

const PRESETS: Record<Family, Record<BuildPresetName, BuildPreset>> = {
  mpe: {
    smoke: {
      transitions: 1_000,
      budget: { updates: 80, evalEvery: 25, evalEpisodes: 20, envCopies: 25, stepsPerUpdate: 25, learningStarts: 0 },
      collectCopies: 40,
      matd3: { ...MATD3_PRESETS.mpe, batchSize: 128 },
    },
    quick: {
      transitions: 100_000,
      budget: { updates: 25_000, evalEvery: MPE_EVAL_EVERY, evalEpisodes: MPE_EVAL_EPISODES, envCopies: 25, stepsPerUpdate: 25, learningStarts: MADDPG_LEARNING_STARTS },
      collectCopies: 500,
      matd3: MATD3_PRESETS.mpe,
    },
    paper: {
      transitions: 1_000_000,
      budget: { updates: 25_000, evalEvery: MPE_EVAL_EVERY, evalEpisodes: MPE_EVAL_EPISODES, envCopies: 25, stepsPerUpdate: 25, learningStarts: MADDPG_LEARNING_STARTS },
      collectCopies: 1_000,
      matd3: MATD3_PRESETS.mpe,
    },
  },
  mujoco: {
    smoke: {
      transitions: 2_000,
      budget: { updates: 100, evalEvery: 50, evalEpisodes: 2, envCopies: 2, stepsPerUpdate: 25, learningStarts: 0, randomBehaviour: 'uniform' },
      collectCopies: 2,
      matd3: { ...MATD3_PRESETS.mujoco, hidden: [64, 64] },
    },
    quick: {
      transitions: 100_000,
      budget: { updates: 120_000, evalEvery: 1_000, evalEpisodes: MUJOCO_EVAL_EPISODES, envCopies: 10, stepsPerUpdate: 25, learningStarts: TD3_LEARNING_STARTS, randomBehaviour: 'uniform' },
      collectCopies: 20,
      matd3: MATD3_PRESETS.mujoco,
    },
    paper: {
      transitions: 1_000_000,
      budget: { updates: 200_000, evalEvery: 5_000, evalEpisodes: MUJOCO_EVAL_EPISODES, envCopies: 10, stepsPerUpdate: 25, learningStarts: TD3_LEARNING_STARTS, randomBehaviour: 'uniform' },
      collectCopies: 50,
      matd3: MATD3_PRESETS.mujoco,
    },
  },
};

export function isBuildPreset(name: string): name is BuildPresetName {
  return (BUILD_PRESETS as readonly string[]).includes(name);
}

/** The preset `name` for environment `env`; an unknown name is an error listing the known ones. */
export function buildPreset(env: string, name: string): BuildPreset {
  if (!isBuildPreset(name)) throw new Error(`unknown dataset preset '${name}' (choose one of ${BUILD_PRESETS.join(', ')})`);
  return PRESETS[FAMILY_OF[env] ?? 'mpe'][name];
}
