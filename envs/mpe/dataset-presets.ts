/**
 * How the particle tasks' datasets are built (spec §3.1): transitions per level, the MATD3 behaviour training and the
 * collection batch, per size preset. `quick`, measured on simple_spread N = 3, seed 0, wasm (docs/datasets.md): random,
 * medium-replay and expert in 7.0 CPU-minutes; final policy 438, dataset returns random 175 / medium-replay 215 /
 * expert 449 (OMAR: 160 / 204 / 531). `smoke` halves the minibatch to run in seconds.
 */
import type { DatasetPreset, DatasetPresetName } from '../../contracts/types.ts';

/** The original MADDPG code starts learning when the buffer holds batch × episode length = 1024 × 25 transitions. */
const MADDPG_LEARNING_STARTS = 1024 * 25;

export const mpeDatasetPresets: Record<DatasetPresetName, DatasetPreset> = {
  smoke: {
    transitions: 1_000,
    budget: { updates: 80, evalEvery: 25, evalEpisodes: 20, envCopies: 25, stepsPerUpdate: 25, learningStarts: 0 },
    collectCopies: 40,
    behaviour: { preset: 'mpe', overrides: { batchSize: 128 } },
  },
  quick: {
    transitions: 100_000,
    budget: { updates: 10_000, evalEvery: 250, evalEpisodes: 100, envCopies: 25, stepsPerUpdate: 25, learningStarts: MADDPG_LEARNING_STARTS },
    collectCopies: 500,
    behaviour: { preset: 'mpe' },
  },
  paper: {
    transitions: 1_000_000,
    budget: { updates: 25_000, evalEvery: 500, evalEpisodes: 100, envCopies: 25, stepsPerUpdate: 25, learningStarts: MADDPG_LEARNING_STARTS },
    collectCopies: 1_000,
    behaviour: { preset: 'mpe' },
  },
};
