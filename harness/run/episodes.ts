/**
 * Episodes outside training: rollouts of a saved policy or of the uniform random policy, run as one batch by the
 * evaluation protocol (`measure/evaluate.ts`: stochastic actions, the environment's evaluation return), the first copy
 * recorded on the way; and exact replays of a recorded episode.
 *
 * Episode file (what `env replay` reads and `env rollout --record` writes): `{ env, options?, state, actions, source? }` —
 * `state` is one copy's snapshot as `Environment.getState()` gives it (MPE: `{ agents: [{ p, v }], landmarks: [{ p }] }`,
 * world order, prey included; HalfCheetah: `{ qpos, qvel, qaccWarmstart }`), `actions[t][i]` the action environment agent
 * i applied at step t (every agent, fixed ones included), `source` where it came from (policy, seed, and the episode's
 * evaluation return, which a replay reproduces).
 */
import { createRng, type Rng } from '../../contracts/rng.ts';
import { evaluateEpisodes } from '../measure/evaluate.ts';
import { validateOrThrow } from '../schema.ts';
import type { Agent, EnvSpec, Environment, JsonSchema, Scene, StepResult } from '../../contracts/types.ts';
import { resolveEnvOptions } from '../resolve.ts';

export interface EpisodeFile {
  env: string;
  options?: Record<string, unknown>;
  state: unknown;
  actions: number[][][];
  source?: { policy: string; seed: number; return: number };
}

export interface ReplayStep {
  obs: number[][];
  rewards: number[];
  /** This step's contribution to the evaluation return (`StepResult.evalReward`). */
  evalReward: number;
  state: unknown;
}

const episodeSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['env', 'state', 'actions'],
  properties: {
    env: { type: 'string' },
    options: { type: 'object' },
    state: { type: 'object' },
    actions: { type: 'array', items: { type: 'array', items: { type: 'array', items: { type: 'number' } } } },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['policy', 'seed', 'return'],
      properties: { policy: { type: 'string' }, seed: { type: 'integer', minimum: 0 }, return: { type: 'number' } },
    },
  },
};

/** Builds `batch` copies of a registered environment with its defaults overridden by `options` (validated). */
export async function createEnvironment(name: string, options: Record<string, unknown>, batch: number): Promise<Environment> {
  const { def, options: resolved } = resolveEnvOptions(name, options);
  return def.create(resolved, batch);
}

/** Replays an episode from its snapshot: one environment copy, the recorded actions for every agent, step by step. */
export async function replayEpisode(episode: EpisodeFile): Promise<ReplayStep[]> {
  validateOrThrow(episodeSchema, episode, 'episode');
  const env = await createEnvironment(episode.env, episode.options ?? {}, 1);
  try {
    env.setState([episode.state]);
    return episode.actions.map((stepActions, t) => {
      if (stepActions.length !== env.spec.numAgents) {
        throw new RangeError(`actions[${t}] has ${stepActions.length} agents, ${episode.env} has ${env.spec.numAgents}`);
      }
      const result = env.step(stepActions.map((a) => Float32Array.from(a)));
      return {
        obs: result.obs.map((o) => Array.from(o)),
        rewards: result.rewards.map((r) => r[0]),
        evalReward: result.evalReward[0],
        state: (env.getState() as unknown[])[0],
      };
    });
  } finally {
    env.dispose();
  }
}

/** Builds the acting agent for an environment; `rng` is the rollout's `policy` stream. */
export type AgentFactory = (spec: EnvSpec, rng: Rng) => Agent;

/** The uniform random policy U[-1, 1] over the learned agents, as an `Agent` that does not learn. */
export const uniformRandomAgent: AgentFactory = (spec, rng) => {
  const dims = spec.learnedAgents.map((i) => ({ obs: spec.obsDims[i], act: spec.actDims[i] }));
  return {
    networkEvalsPerAction: 0,
    act: async (obs) => obs.map((o, k) => Float32Array.from({ length: (o.length / dims[k].obs) * dims[k].act }, () => rng.range(-1, 1))),
    update: async () => ({}),
    save: async () => ({}),
    load: () => undefined,
    dispose: () => undefined,
  };
};

export interface RolloutRequest {
  env: string;
  options: Record<string, unknown>;
  /** What `source.policy` of the recorded episode says (`random`, a weights file). */
  policy: string;
  agent: AgentFactory;
  episodes: number;
  seed: number;
  /** Act with the policy's noise set to zero (`act({ deterministic: true })`) instead of the protocol's fresh noise. */
  noiseFree?: boolean;
  /** Also draw the first copy after the reset and after every step (needs `Environment.scene`). */
  scenes: boolean;
}

export interface RolloutOutcome {
  taskId: string;
  returns: number[];
  mean: number;
  sd: number;
  /** The first episode, replayable by `replayEpisode`. */
  episode: EpisodeFile;
  /** Its scenes, step 0 (the reset) to the end, when asked for. */
  scenes?: Scene[];
}

/** Runs `episodes` episodes as one batch; reset seeds and the agent's noise come from separate streams of `seed`. */
export async function rollout(request: RolloutRequest): Promise<RolloutOutcome> {
  const env = await createEnvironment(request.env, request.options, request.episodes);
  let agent: Agent | undefined;
  try {
    if (request.scenes && !env.scene) throw new Error(`${request.env} cannot draw itself (its environment has no scene())`);
    const root = createRng(request.seed);
    agent = request.agent(env.spec, root.fork('policy'));
    const recorder = new FirstCopyRecorder(env, request.scenes);
    const outcome = await evaluateEpisodes(recorder, agent, root.fork('env'), request.noiseFree === true);
    const source = { policy: request.policy, seed: request.seed, return: outcome.returns[0] };
    const episode = { env: request.env, options: request.options, state: recorder.start, actions: recorder.actions, source };
    return { taskId: env.spec.taskId, ...outcome, episode, ...(request.scenes ? { scenes: recorder.scenes } : {}) };
  } finally {
    agent?.dispose();
    env.dispose();
  }
}

/** Passes every call through to `inner`, keeping copy 0's start snapshot, applied actions and (optionally) scenes. */
class FirstCopyRecorder implements Environment {
  readonly spec: EnvSpec;
  readonly batch: number;
  start: unknown;
  actions: number[][][] = [];
  scenes: Scene[] = [];

  constructor(
    private readonly inner: Environment,
    private readonly withScenes: boolean,
  ) {
    this.spec = inner.spec;
    this.batch = inner.batch;
  }

  reset(seeds: ArrayLike<number>): Float32Array[] {
    const obs = this.inner.reset(seeds);
    this.start = (this.inner.getState() as unknown[])[0];
    this.actions = [];
    this.scenes = this.withScenes ? [this.inner.scene!(0)] : [];
    return obs;
  }

  step(actions: Float32Array[]): StepResult {
    const result = this.inner.step(actions);
    this.actions.push(result.actions.map((a, i) => Array.from(a.subarray(0, this.spec.actDims[i]))));
    if (this.withScenes) this.scenes.push(this.inner.scene!(0));
    return result;
  }

  getState(): unknown {
    return this.inner.getState();
  }

  setState(state: unknown): void {
    this.inner.setState(state);
  }

  dispose(): void {
    this.inner.dispose();
  }
}
