/**
 * How the particle tasks' datasets are built (spec §3.1): transitions per level, the MATD3 behaviour training and the
 * collection batch, per size preset. `quick`, measured on simple_spread N = 3, seed 0, wasm (docs/datasets.md): all five
 * levels in 11.9 CPU-minutes; the target (OMAR's 531) reached at update 12,501 (evaluation 533.4), dataset returns random
 * 175 / medium-replay 241 / medium 351 / medium-expert 370 / expert 537 (OMAR: 160 / 204 / 273 / — / 531). `smoke` halves
 * the minibatch to run in seconds.
 */
import type { DatasetPreset, DatasetPresetName } from '../../contracts/types.ts';

/** The original MADDPG code starts learning when the buffer holds batch × episode length = 1024 × 25 transitions. */
const MADDPG_LEARNING_STARTS = 1024 * 25;

/**
 * Checkpoints: every 100 updates, each evaluated over 1,000 episodes. Training stops at the first checkpoint that reaches
 * the target and the expert is the best, so a checkpoint's mean must be precise enough to rank them and the step between
 * checkpoints small enough not to overshoot. Its standard error is sd/√n, sd being the spread of one policy's episode
 * returns: ≈ 70 for spread's expert, so ±2.2. Measured on spread (quick, seed 0) with checkpoints every 250 updates over
 * 500 episodes (±3.1): the return gained 5–35 per checkpoint just below 531 and training stopped at an evaluation of 533.5
 * whose policy scores 541.7 (4,000 episodes), 5 below the top of the ±3 % band; every 100 updates over 1,000 the steps
 * above 480 are −6 … +12 (median |step| 3.2) and it stopped at 533.4, a policy scoring 536.9.
 * An evaluation (1,000 episodes of 25 steps, one batch) costs ≈ 0.3 CPU-seconds, 100 updates ≈ 6.
 */
const EVAL_EVERY = 100;
const EVAL_EPISODES = 1_000;

export const mpeDatasetPresets: Record<DatasetPresetName, DatasetPreset> = {
  smoke: {
    transitions: 1_000,
    budget: { updates: 80, evalEvery: 25, evalEpisodes: 20, envCopies: 25, stepsPerUpdate: 25, learningStarts: 0 },
    collectCopies: 40,
    behaviour: { preset: 'mpe', overrides: { batchSize: 128 } },
  },
  quick: {
    transitions: 100_000,
    budget: { updates: 25_000, evalEvery: EVAL_EVERY, evalEpisodes: EVAL_EPISODES, envCopies: 25, stepsPerUpdate: 25, learningStarts: MADDPG_LEARNING_STARTS },
    collectCopies: 500,
    behaviour: { preset: 'mpe' },
  },
  paper: {
    transitions: 1_000_000,
    budget: { updates: 25_000, evalEvery: EVAL_EVERY, evalEpisodes: EVAL_EPISODES, envCopies: 25, stepsPerUpdate: 25, learningStarts: MADDPG_LEARNING_STARTS },
    collectCopies: 1_000,
    behaviour: { preset: 'mpe' },
  },
};
