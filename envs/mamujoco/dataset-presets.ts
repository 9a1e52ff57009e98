/**
 * How two-agent HalfCheetah's datasets are built (spec §3.1): transitions per level, the MATD3 behaviour training and the
 * collection batch, per size preset. The random behaviour is uniform and learning starts after TD3's 25,000 transitions
 * (spec §3.1, HalfCheetah only). `quick`, seed 0: the evaluation reached OMAR's expert return at update 92,200 of the 120k
 * cap, 70.9 min wall on 2 threads; random −278 / medium-replay 213 / medium 829 / medium-expert 1057 / expert 3223
 * (OMAR: −283 / 424 / 1569 / — / 3339; docs/datasets.md).
 * `smoke` narrows the networks to run in seconds.
 */
import type { DatasetPreset, DatasetPresetName } from '../../contracts/types.ts';

/** TD3's `start_timesteps` on MuJoCo. */
const TD3_LEARNING_STARTS = 25_000;

/**
 * HalfCheetah's quick expert: sd ≈ 760 (958 … 3,262 over 100 episodes), so 10 episodes gave ±240, as large as the swings
 * between checkpoints; 50 give ±107, for about 4 more minutes of 1000-step rollouts over the 120 checkpoints of `quick`.
 */
const EVAL_EPISODES = 50;

export const halfCheetahDatasetPresets: Record<DatasetPresetName, DatasetPreset> = {
  smoke: {
    transitions: 2_000,
    budget: { updates: 100, evalEvery: 50, evalEpisodes: 2, envCopies: 2, stepsPerUpdate: 25, learningStarts: 0, randomBehaviour: 'uniform' },
    collectCopies: 2,
    behaviour: { preset: 'mujoco', overrides: { hidden: [64, 64] } },
  },
  quick: {
    transitions: 100_000,
    budget: { updates: 120_000, evalEvery: 1_000, evalEpisodes: EVAL_EPISODES, envCopies: 10, stepsPerUpdate: 25, learningStarts: TD3_LEARNING_STARTS, randomBehaviour: 'uniform' },
    collectCopies: 20,
    behaviour: { preset: 'mujoco' },
  },
  paper: {
    transitions: 1_000_000,
    budget: { updates: 200_000, evalEvery: 5_000, evalEpisodes: EVAL_EPISODES, envCopies: 10, stepsPerUpdate: 25, learningStarts: TD3_LEARNING_STARTS, randomBehaviour: 'uniform' },
    collectCopies: 50,
    behaviour: { preset: 'mujoco' },
  },
};
