/**
 * Literature values for OMAR's datasets (spec §1.6), the one table of them in the project: the random/expert
 * reference returns of normalised scores (MADiff App. G.1, OMAR's convention) and the size and episode-return
 * statistics of OMAR's published datasets (OG-MARL's card, agent 0's reward column). Used when a dataset has no
 * card of its own (a foreign OMAR folder) or is imported from OMAR's files.
 */

export interface LiteratureReference {
  random: number;
  expert: number;
  /** Where the numbers come from and which task they describe. */
  source: string;
  /** The task id they are valid for (spread: N = 3 only; tag and world: OMAR's prey with its tanh head, spec §1.5). */
  taskId: string;
}

export interface LiteratureDataset {
  transitions: number;
  returnMean: number;
  returnSd: number;
}

interface LiteratureEntry {
  /** OMAR's environment folder name (spec §3.2). */
  omarFolder: string;
  reference: LiteratureReference;
  datasets: Record<'random' | 'medium-replay' | 'medium' | 'expert', LiteratureDataset>;
}

const MADIFF = 'MADiff App. G.1 (OMAR convention)';

/** Keyed by our environment registry name. */
const LITERATURE: Record<string, LiteratureEntry> = {
  simple_spread: {
    omarFolder: 'simple_spread',
    reference: { random: 159.8, expert: 516.8, source: `literature: ${MADIFF}, simple_spread N=3`, taskId: 'simple_spread[n=3]' },
    datasets: {
      random: { transitions: 1_000_000, returnMean: 159.6, returnSd: 60.5 },
      'medium-replay': { transitions: 97_500, returnMean: 203.7, returnSd: 80.5 },
      medium: { transitions: 1_000_000, returnMean: 273.4, returnSd: 92.1 },
      expert: { transitions: 1_000_000, returnMean: 531.0, returnSd: 71.4 },
    },
  },
  simple_tag: {
    omarFolder: 'simple_tag',
    reference: { random: -4.1, expert: 185.6, source: `literature: ${MADIFF}, simple_tag with OMAR's pretrained prey`, taskId: 'simple_tag[prey=omar]' },
    datasets: {
      random: { transitions: 1_000_000, returnMean: -4.1, returnSd: 10.8 },
      'medium-replay': { transitions: 62_500, returnMean: 3.9, returnSd: 20.3 },
      medium: { transitions: 1_000_000, returnMean: 116.4, returnSd: 58.9 },
      expert: { transitions: 1_000_000, returnMean: 207.9, returnSd: 77.5 },
    },
  },
  simple_world: {
    omarFolder: 'simple_world',
    reference: { random: -6.8, expert: 79.5, source: `literature: ${MADIFF}, simple_world with OMAR's pretrained prey`, taskId: 'simple_world[prey=omar]' },
    datasets: {
      random: { transitions: 1_000_000, returnMean: -6.8, returnSd: 5.7 },
      'medium-replay': { transitions: 80_000, returnMean: 1.2, returnSd: 13.5 },
      medium: { transitions: 1_000_000, returnMean: 65.9, returnSd: 29.6 },
      expert: { transitions: 1_000_000, returnMean: 85.2, returnSd: 31.1 },
    },
  },
  'halfcheetah-2x3': {
    omarFolder: 'HalfCheetah-v2',
    // spec §1.6 Choice: no published reference exists; the means of OMAR's random and expert datasets.
    reference: {
      random: -282.9,
      expert: 3338.7,
      source: "dataset-referenced: means of OMAR's random and expert HalfCheetah datasets (spec §1.6 Choice)",
      taskId: 'halfcheetah-2x3',
    },
    datasets: {
      random: { transitions: 1_000_000, returnMean: -282.9, returnSd: 77.5 },
      'medium-replay': { transitions: 460_000, returnMean: 423.5, returnSd: 655.7 },
      medium: { transitions: 1_000_000, returnMean: 1568.9, returnSd: 273.4 },
      expert: { transitions: 1_000_000, returnMean: 3338.7, returnSd: 252.6 },
    },
  },
};

/**
 * The literature reference returns for environment `env`; with `taskId`, throws when the numbers describe another
 * task (e.g. spread with N = 4), since normalising against them would be meaningless.
 */
export function literatureReference(env: string, taskId?: string): LiteratureReference {
  const entry = LITERATURE[env];
  if (!entry) throw new Error(`no literature reference returns for environment '${env}' (known: ${Object.keys(LITERATURE).join(', ')})`);
  const expected = entry.reference.taskId;
  if (taskId !== undefined && taskId !== expected) {
    throw new Error(`the literature reference returns of ${env} describe task ${expected}, not ${taskId}`);
  }
  return entry.reference;
}

/** The published statistics of OMAR's dataset `level` for `env`, when the literature gives them. */
export function literatureDataset(env: string, level: string): LiteratureDataset | undefined {
  return (LITERATURE[env]?.datasets as Record<string, LiteratureDataset> | undefined)?.[level];
}

/** Our environment name for an OMAR environment folder name (`HalfCheetah-v2` → `halfcheetah-2x3`). */
export function envFromOmarFolder(folder: string): string | undefined {
  return Object.keys(LITERATURE).find((env) => LITERATURE[env].omarFolder === folder);
}

/** The return a dataset build trains its expert towards, and where the number comes from. */
export interface ExpertTarget {
  returnMean: number;
  source: string;
}

/**
 * The mean return of OMAR's expert dataset when `taskId` is the task OMAR's data describe (spread N = 3: 531.0): what the
 * dataset builder trains its behaviour policy towards (spec §3.1). Undefined for any other task (the scripted prey, other N),
 * whose returns OMAR's say nothing about: there the budget cap alone decides.
 */
export function literatureExpertTarget(env: string, taskId: string): ExpertTarget | undefined {
  const entry = LITERATURE[env];
  if (!entry || entry.reference.taskId !== taskId) return undefined;
  return { returnMean: entry.datasets.expert.returnMean, source: `OMAR's ${entry.omarFolder} expert dataset, mean return (spec §1.6)` };
}
