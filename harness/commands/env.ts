/**
 * `om2p-bench env replay <episode.json>` and `om2p-bench env rollout --policy random|<cellId>.safetensors`.
 *
 * replay: reads an episode file (`run/episodes.ts` describes it) and prints `{ steps: [{ obs, rewards, evalReward, state }],
 * return }` — `return` sums `evalReward`, so a recorded episode's `source.return` can be checked against it.
 * rollout: episodes of the uniform random policy (U[-1, 1] for every learned agent; fixed agents by their own policy) on
 * `--env`, or of a trained agent kept as `<cellId>.safetensors` (or `.weights.json` from before; the file names its algorithm, config and environment;
 * `--algo`, `--env`, `--network-preset`, `--set` and `--option`, when given, must agree with it), run as one batch; prints the
 * mean and sd (n − 1) of the evaluation return; `--noise-free` acts with the policy's noise set to zero instead of the protocol's
 * fresh noise. `--record <file>` writes the first episode as an episode file.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../contracts/errors.ts';
import { readJsonFile, writeFileAtomic } from '../files.ts';
import { replayEpisode, rollout, uniformRandomAgent, type EpisodeFile, type RolloutRequest } from '../run/episodes.ts';
import { checkClaims, readPolicyFile, restoreAgent } from '../run/policy-file.ts';
import { parseAssignments } from '../resolve.ts';
import { SIZE_PRESETS, type SizePreset } from '../../contracts/types.ts';
import { loadPlugins, prepare } from './context.ts';
import { choiceOption, collect, deprecatedOption, integerAtLeast, withDeprecated } from './options.ts';

export interface RolloutOptions {
  env?: string;
  policy: string;
  algo?: string;
  networkPreset?: SizePreset;
  set?: string[];
  option?: string[];
  prey?: string;
  episodes: number;
  seed: number;
  record?: string;
  json?: boolean;
  noiseFree?: boolean;
}

/** `--option key=value` (repeatable) and `--prey <file>` as one options object. */
function envOptionsFrom(opts: { option?: string[]; prey?: string }): Record<string, unknown> {
  const options = parseAssignments(opts.option);
  if (opts.prey !== undefined) options.prey = opts.prey;
  return options;
}

/** What to roll out: the random policy on `--env`, or a saved policy on the environment its file names. */
export function rolloutRequest(opts: RolloutOptions): RolloutRequest {
  const common = { policy: opts.policy, episodes: opts.episodes, seed: opts.seed, scenes: false, noiseFree: opts.noiseFree === true };
  if (opts.policy === 'random') {
    const flags = { algo: '--algo', networkPreset: '--network-preset', set: '--set' } as const;
    const stated = (Object.keys(flags) as (keyof typeof flags)[]).filter((key) => opts[key] !== undefined);
    if (stated.length > 0) throw new ConfigError(flags[stated[0]], 'describes a saved policy; --policy random has none');
    if (opts.noiseFree) throw new ConfigError('--noise-free', 'sets a saved policy\'s noise to zero; --policy random is uniform noise');
    if (opts.env === undefined) throw new ConfigError('--env', 'is required with --policy random');
    return { ...common, env: opts.env, options: envOptionsFrom(opts), agent: uniformRandomAgent };
  }
  const file = readPolicyFile(opts.policy);
  checkClaims(
    file,
    { algorithm: opts.algo, env: opts.env, preset: opts.networkPreset, config: parseAssignments(opts.set), envOptions: envOptionsFrom(opts) },
    opts.policy,
  );
  return { ...common, env: file.env, options: file.envOptions, agent: (spec, rng) => restoreAgent(file, spec, rng, opts.policy) };
}

export function registerEnv(program: Command): void {
  const env = program.command('env').description('environment tools: replay a recorded episode, returns of a random or saved policy');
  env
    .command('replay')
    .description('replay { env, options, state, actions } step by step; prints { steps: [{ obs, rewards, evalReward, state }], return }')
    .argument('<episode.json>', 'episode file (e.g. written by env rollout --record)')
    .action(async (file: string, _opts: unknown, command: Command) => {
      await loadPlugins(command);
      const steps = await replayEpisode(readJsonFile(file, 'episode') as EpisodeFile);
      process.stdout.write(`${JSON.stringify({ steps, return: steps.reduce((sum, step) => sum + step.evalReward, 0) })}\n`);
    });
  const networkPreset = choiceOption('--network-preset <name>', 'network size preset the weights must have been trained with', SIZE_PRESETS);
  const oldPreset = deprecatedOption('--preset <name>', networkPreset);
  env
    .command('rollout')
    .description('mean and sd of the evaluation return of a policy over N episodes (run as one batch)')
    .option('--policy <random|file>', 'random (uniform in [-1, 1] for every learned agent) or a trained agent, <cellId>.safetensors (or .weights.json of before)', 'random')
    .option('--env <name>', 'registered environment (required for random; a weights file names its own)')
    .option('--algo <name>', 'algorithm the weights must have been trained by')
    .addOption(networkPreset)
    .addOption(oldPreset)
    .option('--set <key=value>', 'config value the weights must have been trained with (repeatable)', collect)
    .option('--episodes <n>', 'episodes', integerAtLeast(1), 100)
    .option('--seed <n>', 'root seed of reset seeds and actions', integerAtLeast(0), 0)
    .option('--option <key=value>', 'environment option (repeatable; JSON values)', collect)
    .option('--prey <file>', "prey checkpoint (OMAR's pretrained_adv_model.pt) for simple_tag / simple_world")
    .option('--record <episode.json>', 'write the first episode as an episode file that env replay reproduces')
    .option('--noise-free', "act with the policy's noise set to zero (ε = 0; the chain from zero noise) instead of the evaluation protocol's fresh noise")
    .option('--json', 'print one JSON object')
    .action(async (opts: RolloutOptions, command: Command) => {
      await (opts.policy === 'random' ? loadPlugins(command) : prepare(command));
      const outcome = await rollout(rolloutRequest({ ...opts, networkPreset: withDeprecated<SizePreset | undefined>(command, oldPreset, networkPreset) }));
      if (opts.record) writeFileAtomic(opts.record, `${JSON.stringify(outcome.episode)}\n`);
      const { taskId, mean, sd, returns } = outcome;
      if (opts.json) {
        const noise = opts.noiseFree ? 'noise-free' : 'stochastic';
        const summary = { env: outcome.episode.env, taskId, policy: opts.policy, noise, episodes: opts.episodes, seed: opts.seed, mean, sd, returns };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      process.stdout.write(`${taskId}  policy ${opts.policy}${opts.noiseFree ? ' (noise-free)' : ''}  ${opts.episodes} episodes  seed ${opts.seed}\n`);
      process.stdout.write(`return ${mean.toFixed(2)} ± ${sd.toFixed(2)} (mean ± sd)\n`);
      if (opts.record) process.stdout.write(`episode 0 (return ${returns[0].toFixed(2)}) → ${opts.record}\n`);
    });
}
