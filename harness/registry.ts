/**
 * Built-in algorithms and environments, the dataset builder's behaviour learner, plus plugins loaded from a path. The
 * only harness module that imports algorithms/ and envs/; everything else in harness/ reaches them through here
 * (test/layering.test.ts holds it to that).
 */
import { pathToFileURL } from 'node:url';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { requireExists } from './files.ts';
import { PACKAGE_ROOT } from './paths.ts';
import type { AlgorithmDef, EnvironmentDef } from '../contracts/types.ts';
import { halfCheetah2x3 } from '../envs/mamujoco/half-cheetah.ts';
import { simpleSpread } from '../envs/mpe/simple-spread.ts';
import { simpleTag } from '../envs/mpe/simple-tag.ts';
import { simpleWorld } from '../envs/mpe/simple-world.ts';
import { bc } from '../algorithms/bc.ts';
import { diffusion } from '../algorithms/diffusion.ts';
import { td3bc } from '../algorithms/td3bc.ts';
import { om2p } from '../algorithms/om2p.ts';
import { flow } from '../algorithms/flow.ts';
import { fql } from '../algorithms/fql.ts';
import { matd3Behaviour } from '../algorithms/matd3.ts';

/**
 * The method that ratios, speed-ups and probabilities of improvement are relative to (the paper's): efficiency ratios
 * compare against it at the same preset with its preset config, the report's aggregates against its scores.
 */
export const REFERENCE_ALGORITHM = 'om2p';

// Built-ins: one line each.
const builtinAlgorithms: AlgorithmDef<any>[] = [
  bc,
  diffusion,
  td3bc,
  om2p,
  flow,
  fql,
];
const builtinEnvironments: EnvironmentDef<any>[] = [
  halfCheetah2x3,
  simpleSpread,
  simpleTag,
  simpleWorld,
];

const algorithms = new Map<string, AlgorithmDef<any>>(builtinAlgorithms.map((d) => [d.name, d]));
const environments = new Map<string, EnvironmentDef<any>>(builtinEnvironments.map((d) => [d.name, d]));

export function registerAlgorithm(def: AlgorithmDef<any>): void {
  algorithms.set(def.name, def);
}

export function registerEnvironment(def: EnvironmentDef<any>): void {
  environments.set(def.name, def);
}

export function getAlgorithm(name: string): AlgorithmDef<any> {
  const def = algorithms.get(name);
  if (!def) throw new Error(`unknown algorithm '${name}' (known: ${[...algorithms.keys()].join(', ')})`);
  return def;
}

export function getEnvironment(name: string): EnvironmentDef<any> {
  const def = environments.get(name);
  if (!def) throw new Error(`unknown environment '${name}' (known: ${[...environments.keys()].join(', ')})`);
  return def;
}

export function algorithmNames(): string[] {
  return [...algorithms.keys()];
}

export function environmentNames(): string[] {
  return [...environments.keys()];
}

function isAlgorithmDef(value: unknown): value is AlgorithmDef {
  const v = value as AlgorithmDef;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.create === 'function' && 'presets' in v;
}

function isEnvironmentDef(value: unknown): value is EnvironmentDef {
  const v = value as EnvironmentDef;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.create === 'function' && !('presets' in v);
}

/**
 * Loads a plugin file (`.ts` through tsx, or `.js`) and registers every exported algorithm or environment
 * definition. Returns the names it registered; throws when the file is missing, cannot be loaded (naming the import
 * that did not resolve) or exports neither.
 */
export async function loadPlugin(path: string): Promise<string[]> {
  const file = resolve(path);
  requireExists(file, 'plugin');
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw pluginLoadError(path, file, error);
  }
  const names: string[] = [];
  for (const value of Object.values(module)) {
    if (isAlgorithmDef(value)) {
      registerAlgorithm(value);
      names.push(value.name);
    } else if (isEnvironmentDef(value)) {
      registerEnvironment(value);
      names.push(value.name);
    }
  }
  if (names.length === 0) throw new Error(`plugin ${path} exports no algorithm or environment definition`);
  return names;
}

/**
 * Why a plugin did not load, as what and where. Node says an import did not resolve as ERR_MODULE_NOT_FOUND (ESM) or
 * MODULE_NOT_FOUND (CommonJS), quoting the specifier (CommonJS) or the path it resolved to (ESM).
 */
function pluginLoadError(path: string, file: string, error: unknown): Error {
  const { code, message = String(error) } = error as NodeJS.ErrnoException;
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(message)?.[1];
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && missing) {
    const importer = / imported from (\S+)/.exec(message)?.[1] ?? /Require stack:\n- (\S+)/.exec(message)?.[1] ?? file;
    // ESM names a missing relative import by its resolved path; say it as the importing file wrote it.
    const specifier = isAbsolute(missing) ? relativeSpecifier(importer, missing) : missing;
    const bare = !specifier.startsWith('.') && !isAbsolute(specifier);
    const outside = relative(PACKAGE_ROOT, importer).startsWith('..');
    // Packages resolve from the importing file's folder, so the harness's own node_modules are not seen from outside it.
    const hint = bare && outside ? `; a plugin outside ${PACKAGE_ROOT} resolves packages from its own folder (docs/adding-a-baseline.md)` : '';
    return new Error(`plugin ${path}: cannot resolve import '${specifier}' (imported by ${importer})${hint}`);
  }
  // The whole message: a compile error's first line is only "Transform failed with 1 error:", the file and line follow.
  return new Error(`plugin ${path}: ${message.trim()}`);
}

function relativeSpecifier(importer: string, target: string): string {
  const path = relative(dirname(importer), target);
  return path.startsWith('.') ? path : `./${path}`;
}

/** The behaviour-policy learner of the dataset builder (MATD3, spec §3.1 and §4.5), and the types it works with. */
export const behaviourLearner = matd3Behaviour;
export type { Later, Matd3, Matd3Config, Matd3Part, Matd3Space } from '../algorithms/matd3.ts';

/**
 * The shared network blocks themselves, for `bench nn`, which measures them (the blocks, not an algorithm).
 */
export { createMlp, setGradientMode, type GradientMode } from '../algorithms/nn/mlp.ts';
export { createAdam } from '../algorithms/nn/optim.ts';

/**
 * Reading device values back asynchronously (the learners' loss scalars, MATD3's actions across threads): the nn blocks
 * know how on each backend, and the core reaches them only through this module.
 */
export { readAndDispose, readEager, readScalars } from '../algorithms/nn/readback.ts';

/**
 * Tensors the built-in networks keep for the whole process (cached constants): memory accounting leaves them out of an
 * update's residents and leaks. Re-exported here because the core reaches algorithm code only through this module.
 */
export { cachedConstants } from '../algorithms/nn/constants.ts';
