/**
 * The level rules of the dataset builder (spec §3.1): which checkpoint is "medium", and how medium-expert is put
 * together from the medium and expert data.
 */
import type { AgentTransitions } from '../../contracts/types.ts';
import type { Episodes } from './build-store.ts';

export const LEVELS = ['random', 'medium-replay', 'medium', 'medium-expert', 'expert'] as const;
export type Level = (typeof LEVELS)[number];

/** OM2P's medium-expert (first 90 % of medium + first 10 % of expert) or D4RL's (both, concatenated). */
export type MediumExpertMode = 'om2p' | 'concat';

/**
 * Index of the medium checkpoint: the FIRST one after the initial policy whose mean return is ≥
 * R_rand + 0.5·(R_exp − R_rand), R_rand and R_exp being the initial and final checkpoints' means (spec §3.1).
 * Choice: the initial policy itself is never medium (its replay buffer is empty); when training made things worse,
 * no checkpoint qualifies and the final one is returned.
 */
export function pickMediumCheckpoint(returnMeans: readonly number[]): number {
  if (returnMeans.length < 2) throw new RangeError('the medium rule needs the initial and at least one later checkpoint');
  const [random, expert] = [returnMeans[0], returnMeans[returnMeans.length - 1]];
  const threshold = random + 0.5 * (expert - random);
  const found = returnMeans.findIndex((r, k) => k > 0 && r >= threshold);
  return found === -1 ? returnMeans.length - 1 : found;
}

/**
 * Medium-expert from whole episodes: `om2p` takes the first ⌊0.9·E_medium⌋ episodes of medium and the first
 * ⌊0.1·E_expert⌋ of expert; `concat` takes both datasets whole (spec §3.1).
 */
export function composeMediumExpert(medium: Episodes, expert: Episodes, mode: MediumExpertMode): Episodes {
  const take = (from: Episodes, fraction: number) => firstEpisodes(from, mode === 'concat' ? from.episodeReturns.length : Math.floor(fraction * from.episodeReturns.length));
  return concatEpisodes(take(medium, 0.9), take(expert, 0.1));
}

/** The first `count` whole episodes. */
export function firstEpisodes(from: Episodes, count: number): Episodes {
  const episodes = from.episodeReturns.length;
  if (count > episodes) throw new RangeError(`asked for ${count} episodes of ${episodes}`);
  const rows = from.agents[0].rews.length;
  const length = rows / episodes;
  const cut = (values: Float32Array) => values.slice(0, (values.length / rows) * count * length);
  return {
    agents: from.agents.map((a) => zipTransitions(a, a, cut)),
    states: from.states && { states: cut(from.states.states), nextStates: cut(from.states.nextStates), dim: from.states.dim },
    episodeReturns: from.episodeReturns.slice(0, count),
  };
}

function concatEpisodes(a: Episodes, b: Episodes): Episodes {
  const join = (x: Float32Array, y: Float32Array) => {
    const out = new Float32Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    agents: a.agents.map((first, i) => zipTransitions(first, b.agents[i], join)),
    states: a.states && b.states && { states: join(a.states.states, b.states.states), nextStates: join(a.states.nextStates, b.states.nextStates), dim: a.states.dim },
    episodeReturns: [...a.episodeReturns, ...b.episodeReturns],
  };
}

/** Applies `f` field by field to two agents' transitions. */
function zipTransitions(a: AgentTransitions, b: AgentTransitions, f: (x: Float32Array, y: Float32Array) => Float32Array): AgentTransitions {
  return { obs: f(a.obs, b.obs), acts: f(a.acts, b.acts), rews: f(a.rews, b.rews), nextObs: f(a.nextObs, b.nextObs), dones: f(a.dones, b.dones) };
}
