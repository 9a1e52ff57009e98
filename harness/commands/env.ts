/**
 * `om2p-bench env replay <episode.json>` and `om2p-bench env rollout --env <name> --policy random`.
 *
 * replay: input `{ env, options?, state, actions }` — `state` is one copy's snapshot as `Environment.getState()` gives
 * it (MPE: `{ agents: [{ p, v }], landmarks: [{ p }] }`, world order, prey included), `actions[t][i]` the action of
 * environment agent i at step t (every agent, fixed ones included). Prints `{ steps: [{ obs, rewards, state }] }`.
 * rollout: episodes of the uniform random policy (U[-1, 1] for every learned agent; fixed agents by their own policy),
 * run as one batch; prints the mean and sd (n − 1) of the evaluation return (`StepResult.evalReward` summed).
 */
import type { Command } from 'commander';
import { readJsonFile } from '../files.ts';
import { createRng, type Rng } from '../rng.ts';
import { evaluateEpisodes } from '../measure/evaluate.ts';
import { parseAssignments, resolveEnvOptions } from '../run/resolve.ts';
import { validateOrThrow } from '../schema.ts';
import type { Agent, Environment, JsonSchema } from '../types.ts';
import { loadPlugins } from './context.ts';
import { integerAtLeast, collect } from './options.ts';

/** What `env replay` reads. */
export interface ReplayInput {
  env: string;
  options?: Record<string, unknown>;
  state: unknown;
  actions: number[][][];
}

export interface ReplayStep {
  obs: number[][];
  rewards: number[];
  state: unknown;
}

const replayInputSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['env', 'state', 'actions'],
  properties: {
    env: { type: 'string' },
    options: { type: 'object' },
    state: { type: 'object' },
    actions: { type: 'array', items: { type: 'array', items: { type: 'array', items: { type: 'number' } } } },
  },
};

/** Builds `batch` copies of a registered environment with its defaults overridden by `options` (validated). */
export async function createEnvironment(name: string, options: Record<string, unknown>, batch: number): Promise<Environment> {
  const { def, options: resolved } = resolveEnvOptions(name, options);
  return def.create(resolved, batch);
}

/** Replays an episode from a snapshot: one environment copy, the given actions for every agent, step by step. */
export async function replayEpisode(input: ReplayInput): Promise<ReplayStep[]> {
  validateOrThrow(replayInputSchema, input, 'replay input');
  const env = await createEnvironment(input.env, input.options ?? {}, 1);
  try {
    env.setState([input.state]);
    return input.actions.map((stepActions, t) => {
      if (stepActions.length !== env.spec.numAgents) {
        throw new RangeError(`actions[${t}] has ${stepActions.length} agents, ${input.env} has ${env.spec.numAgents}`);
      }
      const result = env.step(stepActions.map((a) => Float32Array.from(a)));
      return {
        obs: result.obs.map((o) => Array.from(o)),
        rewards: result.rewards.map((r) => r[0]),
        state: (env.getState() as unknown[])[0],
      };
    });
  } finally {
    env.dispose();
  }
}

/** The uniform random policy U[-1, 1] over the learned agents, as an `Agent` that does not learn. */
function uniformRandomAgent(obsDims: number[], actDims: number[], rng: Rng): Agent {
  return {
    networkEvalsPerAction: 0,
    act: (obs) => obs.map((o, k) => Float32Array.from({ length: (o.length / obsDims[k]) * actDims[k] }, () => rng.range(-1, 1))),
    update: () => ({}),
    save: () => ({}),
    load: () => undefined,
    dispose: () => undefined,
  };
}

export interface RolloutSummary {
  env: string;
  taskId: string;
  policy: 'random';
  episodes: number;
  seed: number;
  mean: number;
  sd: number;
  returns: number[];
}

/** Runs `episodes` random-policy episodes as one batch; reset seeds and actions come from separate streams of `seed`. */
export async function randomRollout(name: string, options: Record<string, unknown>, episodes: number, seed: number): Promise<RolloutSummary> {
  const env = await createEnvironment(name, options, episodes);
  try {
    const { learnedAgents, obsDims, actDims } = env.spec;
    const root = createRng(seed);
    const agent = uniformRandomAgent(learnedAgents.map((i) => obsDims[i]), learnedAgents.map((i) => actDims[i]), root.fork('policy'));
    const outcome = evaluateEpisodes(env, agent, root.fork('env'));
    return { env: name, taskId: env.spec.taskId, policy: 'random', episodes, seed, ...outcome };
  } finally {
    env.dispose();
  }
}

/** `--option key=value` (repeatable) and `--prey <file>` as one options object. */
function envOptionsFrom(opts: { option?: string[]; prey?: string }): Record<string, unknown> {
  const options = parseAssignments(opts.option);
  if (opts.prey !== undefined) options.prey = opts.prey;
  return options;
}

export function registerEnv(program: Command): void {
  const env = program.command('env').description('environment tools: replay an episode from a snapshot, random-policy returns');
  env
    .command('replay')
    .description('replay { env, options, state, actions } step by step; prints { steps: [{ obs, rewards, state }] }')
    .argument('<episode.json>', 'episode file')
    .action(async (file: string, _opts: unknown, command: Command) => {
      await loadPlugins(command);
      const steps = await replayEpisode(readJsonFile(file, 'episode') as ReplayInput);
      process.stdout.write(`${JSON.stringify({ steps })}\n`);
    });
  env
    .command('rollout')
    .description('mean and sd of the evaluation return of a policy over N episodes (run as one batch)')
    .requiredOption('--env <name>', 'registered environment')
    .option('--policy <name>', 'policy: random (uniform in [-1, 1] for every learned agent)', 'random')
    .option('--episodes <n>', 'episodes', integerAtLeast(1), 100)
    .option('--seed <n>', 'root seed of reset seeds and actions', integerAtLeast(0), 0)
    .option('--option <key=value>', 'environment option (repeatable; JSON values)', collect)
    .option('--prey <file>', "prey checkpoint (OMAR's pretrained_adv_model.pt) for simple_tag / simple_world")
    .option('--json', 'print one JSON object')
    .action(async (opts: { env: string; policy: string; episodes: number; seed: number; option?: string[]; prey?: string; json?: boolean }, command: Command) => {
      await loadPlugins(command);
      if (opts.policy !== 'random') throw new Error(`unknown policy '${opts.policy}' (known: random)`);
      const summary = await randomRollout(opts.env, envOptionsFrom(opts), opts.episodes, opts.seed);
      if (opts.json) {
        const { env: name, policy, episodes, seed, mean, sd, returns } = summary;
        process.stdout.write(`${JSON.stringify({ env: name, taskId: summary.taskId, policy, episodes, seed, mean, sd, returns })}\n`);
        return;
      }
      process.stdout.write(`${summary.taskId}  policy ${summary.policy}  ${summary.episodes} episodes  seed ${summary.seed}\n`);
      process.stdout.write(`return ${summary.mean.toFixed(2)} ± ${summary.sd.toFixed(2)} (mean ± sd)\n`);
    });
}
