/**
 * What a cell measures about its policy's sampler besides the protocol's stochastic score (issue 23): the noise-free score
 * and the action spread at a fixed set of dataset observations. A generative policy can put its mean action at the
 * expert's level while its samples are too wide for a long episode; the two numbers show which.
 *
 * Both are measured on a probe: a second agent built for the occasion from its own stream and loaded with the trained
 * weights, then disposed. The trained agent's own noise streams, the evaluation streams and the tensors alive during
 * training (which the memory profile counts) are therefore exactly what they would be without the measurement, and it works
 * for any algorithm, a plugin's included, whatever its `act` does with its streams.
 */
import type { Rng } from '../../contracts/rng.ts';
import type { Agent, Dataset } from '../../contracts/types.ts';

/**
 * K = 32 draws give each per-(observation, dimension) sd a relative standard error of about 1/√(2(K − 1)) ≈ 13 %; averaged
 * over N = 256 observations and the action dimensions the reported spread is good to about 1 %, and N = 256 dataset rows
 * cover the state distribution well enough that the mean over them is stable. K·N = 8,192 rows is one batched `act` per
 * agent, less than one evaluation's actions on HalfCheetah (10 × 1,000) and cheap beside the updates between evaluations.
 */
export const SPREAD_DRAWS = 32;
export const SPREAD_OBSERVATIONS = 256;

/**
 * N dataset rows drawn uniformly with replacement from `rng`, their observations per learned agent (`N × obsDim` each; rows
 * are aligned across agents, so the agents see one joint state per row).
 */
export function spreadObservations(dataset: Dataset, learnedAgents: readonly number[], count: number, rng: Rng): Float32Array[] {
  const rows = Array.from({ length: count }, () => rng.int(dataset.size));
  return learnedAgents.map((i) => {
    const obs = dataset.agents[i].obs;
    const width = obs.length / dataset.size;
    const out = new Float32Array(count * width);
    rows.forEach((row, n) => out.set(obs.subarray(row * width, (row + 1) * width), n * width));
    return out;
  });
}

/**
 * Per learned agent: the sd (n − 1) of its action over `draws` stochastic `act` calls' worth of noise at each observation,
 * averaged over the observations and the action dimensions. Runs as one batched `act` with each observation repeated
 * `draws` times. `obs[k]` is `N × obsDims[k]`, as `spreadObservations` gives it.
 */
export async function actionSpread(agent: Agent, obs: readonly Float32Array[], obsDims: readonly number[], draws: number): Promise<number[]> {
  if (draws < 2) throw new RangeError(`an action spread needs at least 2 draws, got ${draws}`);
  const repeated = obs.map((o, k) => {
    const width = obsDims[k];
    const count = o.length / width;
    const out = new Float32Array(count * draws * width);
    for (let n = 0; n < count; n++) {
      const row = o.subarray(n * width, (n + 1) * width);
      for (let d = 0; d < draws; d++) out.set(row, (n * draws + d) * width);
    }
    return out;
  });
  const actions = await agent.act(repeated, { deterministic: false });
  return actions.map((a, k) => meanSd(a, obs[k].length / obsDims[k], draws));
}

/** `a` is `(N·K) × dim` with row n·K + k draw k at observation n: the mean over n and dimensions of the sd over k. */
function meanSd(a: Float32Array, count: number, draws: number): number {
  const dim = a.length / (count * draws);
  let total = 0;
  for (let n = 0; n < count; n++) {
    for (let j = 0; j < dim; j++) {
      let sum = 0;
      for (let d = 0; d < draws; d++) sum += a[(n * draws + d) * dim + j];
      const centre = sum / draws;
      let squares = 0;
      for (let d = 0; d < draws; d++) squares += (a[(n * draws + d) * dim + j] - centre) ** 2;
      total += Math.sqrt(squares / (draws - 1));
    }
  }
  return total / (count * dim);
}
