/**
 * Evaluation episodes (spec §5): E episodes run as one batch of E environment copies, the stochastic policy (fresh noise),
 * the return as the environment defines it (`StepResult.evalReward` summed over the episode).
 */
import type { Agent, Environment } from '../../contracts/types.ts';
import type { Rng } from '../../contracts/rng.ts';

export interface EvalOutcome {
  returns: number[];
  mean: number;
  sd: number;
}

/** Runs one batched episode on `env` (batch = number of episodes); `rng` supplies the reset seed of each copy. */
export async function evaluateEpisodes(env: Environment, agent: Agent, rng: Rng, deterministic = false): Promise<EvalOutcome> {
  const { spec } = env;
  const seeds = Array.from({ length: env.batch }, () => rng.nextSeed());
  let obs = env.reset(seeds);
  const returns = new Float64Array(env.batch);
  for (let t = 0; t < spec.episodeLength; t++) {
    const actions = await agent.act(
      spec.learnedAgents.map((i) => obs[i]),
      { deterministic },
    );
    const step = env.step(actions);
    for (let b = 0; b < env.batch; b++) returns[b] += step.evalReward[b];
    obs = step.obs;
  }
  const list = Array.from(returns);
  const mean = list.reduce((a, b) => a + b, 0) / list.length;
  const sd = list.length > 1 ? Math.sqrt(list.reduce((a, b) => a + (b - mean) ** 2, 0) / (list.length - 1)) : 0;
  return { returns: list, mean, sd };
}

/** Normalised score `100·(R − R_random)/(R_expert − R_random)` (spec §1.6). */
export function normalisedScore(ret: number, reference: { random: number; expert: number }): number {
  return (100 * (ret - reference.random)) / (reference.expert - reference.random);
}
