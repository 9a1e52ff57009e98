/**
 * The dataset builder (spec §3.1): trains MATD3 behaviour policies once per (task, preset, seed), caches them
 * (`build-cache.ts`), and writes whichever levels are missing: random = the initial policy (uniform actions where the budget
 * says so: HalfCheetah), expert = the best evaluated checkpoint of a training that stops when the task's target return (OMAR's
 * expert) is reached or at the budget cap, medium = where the evaluation first reaches half the random→expert range (the
 * checkpoint nearest it), medium-replay = the replay buffer at that checkpoint,
 * medium-expert = 90 % medium + 10 % expert; all collected with exploration noise, the prey without. Reference returns
 * in every card are the built random and expert datasets' own mean returns (spec §1.6), so both are always written.
 */
import { join } from 'node:path';
import { progressBar } from '../progress.ts';
import { HEARTBEAT_STALE_MS, withClaim } from '../claims.ts';
import { createRng, type Rng } from '../../contracts/rng.ts';
import { behaviourLearner } from '../registry.ts';
import { resolveEnvOptions } from '../resolve.ts';
import { mean } from '../stats/descriptive.ts';
import type { EnvironmentDef, EnvSpec } from '../../contracts/types.ts';
import { behaviourFolder, readBehaviourCache, writeBehaviourCache, type BehaviourCache } from './build-cache.ts';
import { composeMediumExpert, LEVELS, mediumThreshold, pickExpertCheckpoint, pickMediumCheckpoint, type Level, type MediumExpertMode } from './build-levels.ts';
import { buildPreset, type BuildPreset } from './build-presets.ts';
import { collectEpisodes, type Policy } from './build-rollout.ts';
import type { Episodes } from './build-store.ts';
import { matd3Space, trainBehaviour, untrainedBehaviour, type TrainingProgress, type TrainingResult } from './build-train.ts';
import { readCard } from './card.ts';
import { datasetFolder } from './layout.ts';
import { defaultThreads } from './matd3-threads.ts';
import { literatureExpertTarget, type ExpertTarget } from './references.ts';
import { writeDataset } from './write.ts';

export interface EnsureDatasetsOptions {
  env: string;
  envOptions: Record<string, unknown>;
  levels: string[];
  /** `smoke`, `quick` or `paper` (build-presets.ts). */
  preset: string;
  /** Dataset seed k: the folder `seed_<k>_data` and every random stream of the build. */
  seed: number;
  dataDir: string;
  log: (line: string) => void;
  /** A progress bar with an ETA over the behaviour training's updates (stderr) instead of one `log` line per checkpoint. @default false */
  progress?: boolean;
  /** @default 'om2p' */
  mediumExpert?: MediumExpertMode;
  /** Threads the behaviour training spreads its agents over (bit-identical results for any count). @default one per core, at most one per agent */
  threads?: number;
}

export interface EnsureDatasetsReport {
  taskId: string;
  /** Whether the behaviour policies were trained (false: the cache was reused, or nothing was missing). */
  trained: boolean;
  built: Level[];
  existing: Level[];
  /** Mean episode return of every level built or found, by level. */
  returns: Partial<Record<Level, number>>;
}

interface BuildContext {
  options: EnsureDatasetsOptions;
  def: EnvironmentDef<any>;
  envOptions: Record<string, unknown>;
  spec: EnvSpec;
  preset: BuildPreset;
  /** The return the behaviour training aims at (spec §3.1); absent when the literature has none for this task. */
  target?: ExpertTarget;
  rng: Rng;
  /** The build lock's heartbeat, called where the build blocks the event loop (training, collecting). */
  beat: () => void;
}

/**
 * Builds every requested level that is missing (plus random and expert, the references); reuses cached policies. Builds
 * of one (task, preset, seed) wait for one another through a claim in the data folder (`<dataDir>/.locks`), so runners
 * sharing a data folder (array tasks on a shared file system) build each dataset once and then read it.
 */
export async function ensureDatasets(options: EnsureDatasetsOptions): Promise<EnsureDatasetsReport> {
  const levels = requestedLevels(options.levels);
  const { def, options: envOptions } = resolveEnvOptions(options.env, options.envOptions);
  const probe = await def.create(envOptions, 1);
  const spec = probe.spec;
  probe.dispose();
  const context: BuildContext = {
    options, def, envOptions, spec,
    preset: buildPreset(options.env, options.preset),
    target: literatureExpertTarget(options.env, spec.taskId),
    rng: createRng(options.seed).fork('datasets'),
    beat: () => undefined,
  };
  const folder = (level: Level) => datasetFolder(options.dataDir, spec.taskId, level, options.seed);
  const wanted = levels.length > 0 ? unique(['random', 'expert', ...levels] as Level[]) : [];
  const scan = (): EnsureDatasetsReport => {
    const found: EnsureDatasetsReport = { taskId: spec.taskId, trained: false, built: [], existing: [], returns: {} };
    for (const level of wanted) {
      const card = readCard(folder(level));
      if (!card) continue;
      requireSameRecipe(card.generator, options, folder(level));
      found.existing.push(level);
      found.returns[level] = card.episodeReturn.mean;
    }
    return found;
  };
  const before = scan();
  if (before.existing.length === wanted.length) return before;
  const lock = { staleAfterMs: HEARTBEAT_STALE_MS, pollMs: LOCK_POLL_MS, log: options.log };
  // scanned again under the lock: another builder may have written them while this one waited
  return withClaim(join(options.dataDir, LOCKS_FOLDER), lockName(`${spec.taskId}-${options.preset}-seed${options.seed}`), lock, (beat) =>
    buildMissing({ ...context, beat }, folder, wanted, scan()),
  );
}

/** Hidden, so dataset listings skip it. */
const LOCKS_FOLDER = '.locks';

/** A file name for a lock: a task id may hold a `/` (a prey policy's path), escaped as in a URI (and `%` too, so names stay distinct). */
function lockName(key: string): string {
  return key.replaceAll('%', '%25').replaceAll('/', '%2F');
}
const LOCK_POLL_MS = 1000;

async function buildMissing(context: BuildContext, folder: (level: Level) => string, wanted: Level[], report: EnsureDatasetsReport): Promise<EnsureDatasetsReport> {
  const { options, spec, envOptions } = context;
  const missing = wanted.filter((level) => !report.existing.includes(level));
  if (missing.length === 0) return report;

  options.log(`datasets ${spec.taskId} (${options.preset}, seed ${options.seed}): building ${missing.join(', ')}`);
  const cache = await behaviourPolicies(context, report);
  const collected = new Map<Level, Episodes>();
  const episodesOf = async (level: Level): Promise<Episodes> => {
    if (!collected.has(level)) collected.set(level, await levelEpisodes(context, cache, level, episodesOf));
    return collected.get(level)!;
  };
  const reference = {
    random: report.returns.random ?? mean((await episodesOf('random')).episodeReturns),
    expert: report.returns.expert ?? mean((await episodesOf('expert')).episodeReturns),
    source: `built: mean returns of this task's random and expert datasets (${options.preset}, seed ${options.seed})`,
  };
  for (const [k, level] of missing.entries()) {
    const episodes = await episodesOf(level);
    await writeDataset(folder(level), episodes.agents, {
      env: options.env, envOptions, taskId: spec.taskId, level, episodeLength: spec.episodeLength,
      episodeReturns: episodes.episodeReturns, reference, states: episodes.states,
      generator: generatorRecord(context, cache, level),
    }, { overwrite: true });
    report.built.push(level);
    report.returns[level] = mean(episodes.episodeReturns);
    context.beat();
    options.log(`  ${level}: ${episodes.agents[0].rews.length} transitions, mean return ${report.returns[level]!.toFixed(1)} → ${folder(level)}`);
    // Paper scale holds 1M transitions per level: keep only what a later level is made from.
    for (const held of [...collected.keys()]) if (!missing.slice(k + 1).some((later) => needs(later, held))) collected.delete(held);
  }
  return report;
}

/** The cached behaviour policies of this (task, preset, seed), trained and cached first when absent or stale. */
async function behaviourPolicies(context: BuildContext, report: EnsureDatasetsReport): Promise<BehaviourCache> {
  const { options, spec } = context;
  const cacheFolder = behaviourFolder(options.dataDir, spec.taskId, options.preset, options.seed);
  const cache = readBehaviourCache(cacheFolder, spec);
  if (cache && sameTraining(cache, context)) {
    options.log(`  reusing behaviour policies from ${cacheFolder}`);
    return cache;
  }
  if (cache) options.log(`  the cached behaviour policies in ${cacheFolder} were trained with another config, budget or target (or took the last checkpoint as expert): retraining`);
  report.trained = true;
  return trainAndCache(context, cacheFolder);
}

/** Trains the behaviour policies, picks the expert and medium checkpoints, and writes the cache. */
async function trainAndCache(context: BuildContext, cacheFolder: string): Promise<BehaviourCache> {
  const { def, envOptions, preset, options, target } = context;
  const { budget, matd3 } = preset;
  const threads = options.threads ?? defaultThreads(context.spec.learnedAgents.length);
  const goal = target ? `until an evaluation reaches ${target.returnMean} (${target.source}), at most ${budget.updates}` : `${budget.updates}`;
  options.log(`  training MATD3 behaviour policies: ${goal} updates, ${budget.envCopies} copies, checkpoint every ${budget.evalEvery} updates (${budget.evalEpisodes} evaluation episodes), ${threads} thread${threads > 1 ? 's' : ''}`);
  const env = await def.create(envOptions, budget.envCopies);
  const evalEnv = await def.create(envOptions, budget.evalEpisodes);
  const started = Date.now();
  const progress = trainingProgress(context);
  let training: TrainingResult;
  try {
    training = await trainBehaviour(env, evalEnv, matd3, budget, target?.returnMean, context.rng.fork('behaviour'), progress, threads);
  } finally {
    progress.stop();
    env.dispose();
    evalEnv.dispose();
  }
  const { checkpoints, replay, stop } = training;
  const returns = checkpoints.map((c) => c.returnMean);
  const expertIndex = pickExpertCheckpoint(returns);
  const mediumIndex = pickMediumCheckpoint(returns, expertIndex);
  const [expert, medium] = [checkpoints[expertIndex], checkpoints[mediumIndex]];
  const why = stop === 'target' ? `target ${target!.returnMean} reached` : `cap of ${budget.updates} updates reached${target ? `, target ${target.returnMean} not` : ''}`;
  options.log(`  stopped at update ${checkpoints.at(-1)!.update} (${why}); expert = checkpoint at update ${expert.update} (return ${expert.returnMean.toFixed(1)}, the best)`);
  options.log(`  medium = checkpoint at update ${medium.update} (return ${medium.returnMean.toFixed(1)}, aiming at ${mediumThreshold(returns, expertIndex).toFixed(1)}: half-way from random ${returns[0].toFixed(1)} to expert)`);
  const cache: BehaviourCache = {
    config: matd3,
    budget,
    ...(target ? { target } : {}),
    checkpoints: checkpoints.map(({ actors: _weights, ...summary }) => summary),
    stop,
    expertIndex,
    mediumIndex,
    trainingMs: Date.now() - started,
    actors: { random: checkpoints[0].actors, medium: medium.actors, expert: expert.actors },
    replay: replay.slice(0, medium.replayEpisodes),
  };
  await writeBehaviourCache(cacheFolder, cache);
  return cache;
}

/**
 * How the behaviour training reports: one log line per checkpoint, or, with `options.progress`, a bar over the updates showing
 * the latest checkpoint's return. Its ETA takes the rate over about one checkpoint interval (the last `evalEvery` updates),
 * which always spans a checkpoint's evaluation: the estimate includes evaluation time and does not jump at each checkpoint.
 */
function trainingProgress({ options, spec, preset: { budget }, beat }: BuildContext): TrainingProgress & { stop(): void } {
  if (!options.progress) {
    return {
      checkpoint: (_point, line) => {
        beat();
        options.log(line);
      },
      update: beat,
      stop: () => undefined,
    };
  }
  const bar = progressBar({
    format: `MATD3 ${spec.taskId} {bar} {value}/{total} updates | return {return} | ETA {eta_formatted}`,
    total: budget.updates,
    payload: { return: '—' },
    etaBuffer: budget.evalEvery,
  });
  return {
    checkpoint: (point) => {
      beat();
      bar.update(point.update, { return: point.returnMean.toFixed(1) });
    },
    update: (updates) => {
      beat();
      bar.update(updates);
    },
    stop: () => bar.stop(),
  };
}

/** The episodes of one level: collected with its policy, the cached replay, or composed from medium and expert. */
async function levelEpisodes(context: BuildContext, cache: BehaviourCache, level: Level, episodesOf: (level: Level) => Promise<Episodes>): Promise<Episodes> {
  if (level === 'medium-replay') return cache.replay;
  if (level === 'medium-expert') {
    return composeMediumExpert(await episodesOf('medium'), await episodesOf('expert'), context.options.mediumExpert ?? 'om2p');
  }
  const { def, envOptions, spec, preset } = context;
  const episodes = Math.max(1, Math.floor(preset.transitions / spec.episodeLength));
  const env = await def.create(envOptions, Math.min(preset.collectCopies, episodes));
  const rng = context.rng.fork(`collect/${level}`);
  const policy = behaviourLearner.create(matd3Space(spec, cache.config), cache.config, rng.fork('policy'));
  try {
    await policy.loadActors(cache.actors[level]);
    const actors: Policy = (obs) => policy.act(obs, true);
    const act = level === 'random' ? untrainedBehaviour(cache.budget, spec, rng.fork('uniform'), actors) : actors;
    return (await collectEpisodes(env, act, episodes, rng.fork('env'))).slice(0, episodes);
  } finally {
    policy.dispose();
    env.dispose();
  }
}

/** What the card records about how the level was made (spec §3.2 "card.json"). */
function generatorRecord(context: BuildContext, cache: BehaviourCache, level: Level): Record<string, unknown> {
  const { options, preset } = context;
  const returns = cache.checkpoints.map((c) => c.returnMean);
  const [expert, medium] = [cache.checkpoints[cache.expertIndex], cache.checkpoints[cache.mediumIndex]];
  return {
    generator: 'matd3',
    preset: options.preset,
    seed: options.seed,
    transitionsPerLevel: preset.transitions,
    collectionNoise: cache.config.explorationNoise,
    matd3: cache.config,
    budget: cache.budget,
    trainingMs: cache.trainingMs,
    checkpoints: cache.checkpoints,
    expert: {
      target: cache.target?.returnMean ?? null,
      targetSource: cache.target?.source ?? 'none: the literature has no expert return for this task, the cap decides',
      stop: cache.stop,
      updates: cache.checkpoints.at(-1)!.update,
      cap: cache.budget.updates,
      evalEpisodes: cache.budget.evalEpisodes,
      checkpoint: { index: cache.expertIndex, update: expert.update, returnMean: expert.returnMean, returnSd: expert.returnSd },
    },
    mediumCheckpoint: {
      index: cache.mediumIndex, update: medium.update, returnMean: medium.returnMean, replayEpisodes: medium.replayEpisodes,
      threshold: mediumThreshold(returns, cache.expertIndex),
    },
    ...(level === 'medium-expert' ? { mediumExpert: options.mediumExpert ?? 'om2p' } : {}),
  };
}

/** An existing level made by another preset or construction is not what was asked for: say so rather than mix them. */
function requireSameRecipe(generator: Record<string, unknown>, options: EnsureDatasetsOptions, folder: string): void {
  if (generator.generator === 'matd3' && generator.expert === undefined) {
    throw new Error(`${folder} was built by an older builder whose expert is the last checkpoint, not the best (use another --data-dir or delete it)`);
  }
  if (generator.preset !== undefined && generator.preset !== options.preset) {
    throw new Error(`${folder} was built with preset '${String(generator.preset)}', not '${options.preset}' (use another --data-dir or delete it)`);
  }
  if (generator.mediumExpert !== undefined && generator.mediumExpert !== (options.mediumExpert ?? 'om2p')) {
    throw new Error(`${folder} is the '${String(generator.mediumExpert)}' medium-expert, not '${options.mediumExpert ?? 'om2p'}'`);
  }
}

/** Whether building `level` uses the episodes of `source`. */
function needs(level: Level, source: Level): boolean {
  return level === source || (level === 'medium-expert' && (source === 'medium' || source === 'expert'));
}

/**
 * Whether the cache was trained as this build would train: same learner, budget and target. A cache without an expert
 * index comes from the builder that took the last checkpoint as expert and kept no other weights: it is retrained.
 */
function sameTraining(cache: BehaviourCache, { preset, target }: BuildContext): boolean {
  if (cache.expertIndex === undefined) return false;
  return JSON.stringify([cache.config, cache.budget, cache.target]) === JSON.stringify([preset.matd3, preset.budget, target]);
}

function requestedLevels(levels: string[]): Level[] {
  for (const level of levels) {
    if (!(LEVELS as readonly string[]).includes(level)) throw new Error(`unknown dataset level '${level}' (choose from ${LEVELS.join(', ')})`);
  }
  return levels as Level[];
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
