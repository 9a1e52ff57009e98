/**
 * The level rules of the dataset builder (spec §3.1): when the behaviour training stops, which checkpoint is "expert" and
 * which "medium", and how medium-expert is put together from the medium and expert data.
 */
import type { AgentTransitions } from '../../contracts/types.ts';
import type { Episodes } from './build-store.ts';

export const LEVELS = ['random', 'medium-replay', 'medium', 'medium-expert', 'expert'] as const;
export type Level = (typeof LEVELS)[number];

/** OM2P's medium-expert (first 90 % of medium + first 10 % of expert) or D4RL's (both, concatenated). */
export type MediumExpertMode = 'om2p' | 'concat';

/** Why the behaviour training stopped: its evaluation reached the task's target return, or the update budget ran out. */
export type StopReason = 'target' | 'cap';

/**
 * Whether the behaviour training stops after the checkpoint just evaluated (spec §3.1): when a trained policy's mean
 * return reaches `target` (absent: no target, the cap decides) or the updates reach `cap`. A target counts before the
 * cap when both hold at once; the initial policy never stops training, whatever its return.
 */
export function stopAfter(point: { update: number; returnMean: number }, target: number | undefined, cap: number): StopReason | undefined {
  if (target !== undefined && point.update > 0 && point.returnMean >= target) return 'target';
  return point.update >= cap ? 'cap' : undefined;
}

/**
 * Index of the expert checkpoint: the trained one (never the initial policy) with the highest mean evaluation return,
 * the earliest of equals (spec §3.1: the best, not the last, so that a late dip or float rounding does not decide it).
 */
export function pickExpertCheckpoint(returnMeans: readonly number[]): number {
  if (returnMeans.length < 2) throw new RangeError('the expert rule needs the initial and at least one later checkpoint');
  let best = 1;
  for (let k = 2; k < returnMeans.length; k++) if (returnMeans[k] > returnMeans[best]) best = k;
  return best;
}

/**
 * Index of the medium checkpoint: "about half the expert's performance" (OMAR) on the harness's normalised scale, i.e. the
 * return R_rand + 0.5·(R_exp − R_rand), R_rand being the initial checkpoint's mean and R_exp the expert checkpoint's
 * (`expertIndex`), so that the medium level scores about 50 against the data's own references whatever the sign of the
 * returns. Of the checkpoints up to the expert, it takes where the evaluation FIRST reaches that return: the first
 * checkpoint at or above it, or the one just before when that is nearer (the earlier on a tie; spec §3.1).
 * Choice: the initial policy is never medium (its replay buffer is empty); when the expert is no better than the
 * random policy no checkpoint qualifies and the expert's is returned.
 */
export function pickMediumCheckpoint(returnMeans: readonly number[], expertIndex: number): number {
  if (returnMeans.length < 2) throw new RangeError('the medium rule needs the initial and at least one later checkpoint');
  if (!(expertIndex >= 1 && expertIndex < returnMeans.length)) throw new RangeError(`expert checkpoint ${expertIndex} is not one of 1..${returnMeans.length - 1}`);
  const threshold = mediumThreshold(returnMeans, expertIndex);
  const first = returnMeans.findIndex((r, k) => k > 0 && k <= expertIndex && r >= threshold);
  if (first === -1) return expertIndex;
  const before = first - 1;
  return before >= 1 && threshold - returnMeans[before] <= returnMeans[first] - threshold ? before : first;
}

/** The mean return the medium checkpoint aims at: half-way from the initial to the expert checkpoint's. */
export function mediumThreshold(returnMeans: readonly number[], expertIndex: number): number {
  return returnMeans[0] + 0.5 * (returnMeans[expertIndex] - returnMeans[0]);
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
