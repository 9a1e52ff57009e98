/**
 * Rollouts of a behaviour policy on B environment copies, whole episodes at a time (spec §3.1): the one loop behind
 * MATD3's training, its checkpoint evaluations and the collection of every dataset level.
 */
import type { Rng } from '../../contracts/rng.ts';
import type { Environment, EnvSpec } from '../../contracts/types.ts';
import { TransitionStore } from './build-store.ts';

/** Actions for the learned agents (`B × actDim` each, in [−1, 1]) from their observations (`B × obsDim` each). */
export type Policy = (obs: Float32Array[]) => Float32Array[] | Promise<Float32Array[]>;

/**
 * Uniform actions U(−1, 1)^d for every learned agent: TD3's warm-up behaviour on MuJoCo, and the HalfCheetah random level
 * (its return, about −283, is OMAR's HalfCheetah random figure; the near-zero initial actor scores about −9).
 */
export function uniformPolicy(spec: EnvSpec, rng: Rng): Policy {
  return (obs) =>
    spec.learnedAgents.map((i, k) => {
      const rows = obs[k].length / spec.obsDims[i];
      return Float32Array.from({ length: rows * spec.actDims[i] }, () => rng.range(-1, 1));
    });
}

/** Reset seeds for every copy, one draw each from `rng`. */
export function resetSeeds(rng: Rng, copies: number): number[] {
  return Array.from({ length: copies }, () => rng.nextSeed());
}

/**
 * Runs one episode on every copy of `env` and records the first `copies` into `store`; `afterStep` runs after each
 * step (MATD3 updates there). The fixed agents (the prey) act by their own policy, without noise (spec §3.1).
 */
export async function runEpisodes(
  env: Environment,
  policy: Policy,
  store: TransitionStore,
  copies: number,
  rng: Rng,
  afterStep?: () => Promise<void>,
): Promise<void> {
  const { learnedAgents, episodeLength, stateDim } = env.spec;
  let obs = env.reset(resetSeeds(rng, env.batch));
  store.beginEpisodes(copies);
  for (let t = 0; t < episodeLength; t++) {
    const state = stateDim ? env.state!() : undefined;
    const result = env.step(await policy(learnedAgents.map((i) => obs[i])));
    store.record(obs, result, state);
    obs = result.obs;
    await afterStep?.();
  }
}

/** Collects `episodes` whole episodes into a new store, `env.batch` at a time. */
export async function collectEpisodes(env: Environment, policy: Policy, episodes: number, rng: Rng): Promise<TransitionStore> {
  const store = new TransitionStore(env.spec, episodes);
  while (store.episodes < episodes) await runEpisodes(env, policy, store, Math.min(env.batch, episodes - store.episodes), rng);
  return store;
}
