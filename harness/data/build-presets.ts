/**
 * Size presets of the dataset builder (spec §3.1 "Sizes and seeds"): each environment declares its own
 * (`EnvironmentDef.datasetPresets`: transitions per level, the behaviour-training budget, the collection batch and which
 * of the behaviour learner's presets it trains with); this resolves one into the builder's terms. An environment that
 * declares none cannot be built, only imported: it never silently gets another family's settings.
 */
import { DATASET_PRESETS, type DatasetPresetName, type TrainingBudget } from '../../contracts/types.ts';
import { behaviourLearner, getEnvironment, type Matd3Config } from '../registry.ts';

export const BUILD_PRESETS = DATASET_PRESETS;
export type BuildPresetName = DatasetPresetName;

export interface BuildPreset {
  /** Transitions per collected level (random, medium, expert), rounded down to whole episodes. */
  transitions: number;
  budget: TrainingBudget;
  /** Environment copies stepped together while collecting. */
  collectCopies: number;
  /** The behaviour learner's config. */
  matd3: Matd3Config;
}

export function isBuildPreset(name: string): name is BuildPresetName {
  return (BUILD_PRESETS as readonly string[]).includes(name);
}

/** The preset `name` for environment `env`; an unknown name, or an environment without presets, is an error saying so. */
export function buildPreset(env: string, name: string): BuildPreset {
  if (!isBuildPreset(name)) throw new Error(`unknown dataset preset '${name}' (choose one of ${BUILD_PRESETS.join(', ')})`);
  const presets = getEnvironment(env).datasetPresets;
  if (!presets) throw new Error(`environment ${env} declares no dataset presets (EnvironmentDef.datasetPresets): its datasets can be imported, not built`);
  const { transitions, budget, collectCopies, behaviour } = presets[name];
  const base = behaviourLearner.presets[behaviour.preset as keyof typeof behaviourLearner.presets];
  if (!base) throw new Error(`${env}, dataset preset ${name}: the behaviour learner has no preset '${behaviour.preset}' (it has ${Object.keys(behaviourLearner.presets).join(', ')})`);
  return { transitions, budget, collectCopies, matd3: { ...base, ...behaviour.overrides } };
}
