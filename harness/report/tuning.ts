/**
 * The choices the matrices take from committed runs (issues 13, 23): the budget, from learning curves run far past it
 * (`plateauTable`), and swept settings per dataset or task family — the Q weight over the values the paper tunes, the sampler's
 * time distribution — from a sweep (`sweepChoices`). Both read normalised
 * evaluation scores (spec §1.6) of finished cells; both are rules written down here so that anyone can re-derive the
 * numbers from the committed cells.
 */
import type { CellDone, CellResult } from '../../contracts/types.ts';
import { mean } from '../stats/index.ts';
import { perDatasetKey, type AlgorithmEntry, type EnvironmentEntry } from '../run/expand.ts';
import { groupBy } from './cells.ts';
import { allDefined, meanActionSpread, noiseFreeNormalised } from './sampler.ts';

/** Mean normalised score of a cell's last `k` evaluations: less noisy than the last one alone. */
export function finalScore(cell: CellDone, k: number): number {
  return mean(cell.curve.slice(-k).map((point) => point.normalised));
}

// ---------------------------------------------------------------- budget

export interface PlateauRow {
  env: string;
  dataset: string;
  algorithm: string;
  seeds: number;
  /** Mean over seeds of the evaluations in the second half of the run: the level the curve settles at. */
  plateau: number;
  /** Mean over those evaluations of the seeds' range (max − min): how far apart two runs of one method land. */
  spread: number;
  /**
   * First update U at which the `window` evaluations ending at U (seed means) all lie within `spread` of `plateau`;
   * null when no such U exists.
   */
  flatFrom: number | null;
  /** Seed-mean score at `flatFrom`. */
  scoreAtFlat: number | null;
}

/**
 * One row per env × dataset × algorithm with at least two finished seeds sharing one evaluation schedule. The rule
 * ("flat" = the last `window` evaluations within the seeds' spread of the plateau) is the issue's; the plateau and the
 * spread come from the second half of the run, so the run must be much longer than the budget it is used to choose.
 */
export function plateauTable(cells: readonly CellResult[], window = 3): PlateauRow[] {
  const rows: PlateauRow[] = [];
  const done = cells.filter((cell): cell is CellDone => cell.status === 'done');
  for (const [key, group] of groupBy(done, (cell) => JSON.stringify([cell.spec.env, cell.spec.dataset, cell.spec.algorithm]))) {
    const [env, dataset, algorithm] = JSON.parse(key) as string[];
    const updates = group[0].curve.map((point) => point.update);
    const sameSchedule = group.every((cell) => cell.curve.length === updates.length && cell.curve.every((p, i) => p.update === updates[i]));
    if (group.length < 2 || !sameSchedule) continue;
    const at = (i: number) => group.map((cell) => cell.curve[i].normalised);
    const seedMeans = updates.map((_, i) => mean(at(i)));
    const range = updates.map((_, i) => Math.max(...at(i)) - Math.min(...at(i)));
    const half = updates.findIndex((u) => u >= updates[updates.length - 1] / 2);
    const plateau = mean(seedMeans.slice(half));
    const spread = mean(range.slice(half));
    let flatIndex = -1;
    for (let i = window; i < updates.length && flatIndex < 0; i++) {
      if (seedMeans.slice(i - window + 1, i + 1).every((m) => Math.abs(m - plateau) <= spread)) flatIndex = i;
    }
    rows.push({
      env,
      dataset,
      algorithm,
      seeds: group.length,
      plateau,
      spread,
      flatFrom: flatIndex < 0 ? null : updates[flatIndex],
      scoreAtFlat: flatIndex < 0 ? null : seedMeans[flatIndex],
    });
  }
  return rows;
}

/** Markdown table of `plateauTable`, with the budget it implies (the latest `flatFrom`) as the last line. */
export function plateauMarkdown(rows: readonly PlateauRow[], window: number): string {
  const lines = [
    `| env | dataset | algorithm | seeds | plateau | seeds' spread | flat from (updates) | score there |`,
    `| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map((r) => `| ${r.env} | ${r.dataset} | ${r.algorithm} | ${r.seeds} | ${r.plateau.toFixed(1)} | ${r.spread.toFixed(1)} | ${r.flatFrom ?? 'never'} | ${r.scoreAtFlat === null ? '–' : r.scoreAtFlat.toFixed(1)} |`),
  ];
  const never = rows.filter((r) => r.flatFrom === null);
  const latest = Math.max(...rows.map((r) => r.flatFrom ?? -Infinity));
  const verdict =
    rows.length === 0
      ? 'no group with two or more finished seeds on one evaluation schedule'
      : never.length > 0
        ? `not flat within the run: ${never.map((r) => `${r.algorithm} on ${r.dataset}`).join(', ')}`
        : `every curve is flat (last ${window} evaluations within the seeds' spread of its plateau) from ${latest} updates on; ` +
          `each group from its own "flat from" (what \`tune budget --into\` writes per algorithm and dataset)`;
  return `${lines.join('\n')}\n\n${verdict}\n`;
}

// ---------------------------------------------------------------- swept settings (the Q weight, the sampler)

/** How a sweep's choice is pooled: one per dataset, or one per task family (environment) over its datasets. */
export type SweepScope = 'dataset' | 'family';

export interface SweepCandidate {
  /** The values of the swept keys in this setting (a key the setting leaves at the algorithm's default is absent). */
  setting: Record<string, unknown>;
  /** Mean over finished seeds (and, per family, over datasets) of `finalScore`; −Infinity when every seed was lost. */
  score: number;
  /** The same mean of the noise-free score; undefined where a finished seed did not measure it. */
  noiseFree?: number;
  /** The same mean of the action spread (mean over agents); undefined where not measured. */
  spread?: number;
  /** Finished seeds (per family: summed over its datasets). */
  seeds: number;
  /** Seeds that diverged or failed (a setting lost or not run on a dataset is never chosen over one that finished). */
  lost: number;
}

export interface SweepChoice {
  algorithm: string;
  env: string;
  /** The dataset the choice is for, or every dataset of the family it pools. */
  datasets: string[];
  scope: SweepScope;
  /** The config keys the sweep varied for this algorithm (η for om2p and flow, α for fql, the sampler's keys, ...). */
  keys: string[];
  /** The chosen setting. */
  setting: Record<string, unknown>;
  candidates: SweepCandidate[];
}

/**
 * Per algorithm × env × dataset of a sweep (or per algorithm × env, pooling the datasets, with scope `family`), the setting of
 * the swept keys with the highest mean final score of the protocol's stochastic evaluation. Candidates are ordered by their
 * values key by key (numbers ascending, strings alphabetically, a key left at its default first); a tie goes to the first, so
 * a single numeric key ties to the smaller value. The swept keys of an algorithm are those whose value differs between its
 * cells on one env × dataset; an algorithm that ran with a single config there is not part of the sweep. Per family, a
 * setting's score is the mean of its per-dataset scores, and a setting not run on every dataset of the family is not chosen.
 */
export function sweepChoices(cells: readonly CellResult[], lastEvaluations = 3, scope: SweepScope = 'dataset'): SweepChoice[] {
  const choices: SweepChoice[] = [];
  for (const [algorithm, runs] of groupBy(cells, (cell) => cell.spec.algorithm)) {
    const keys = sweptKeys(runs);
    if (keys.length === 0) continue;
    const groupOf = (cell: CellResult) => JSON.stringify(scope === 'dataset' ? [cell.spec.env, cell.spec.dataset] : [cell.spec.env]);
    for (const group of groupBy(runs, groupOf).values()) {
      const env = group[0].spec.env;
      const datasets = [...new Set(group.map((cell) => cell.spec.dataset))].sort();
      const settings = [...groupBy(group, (cell) => settingKey(cell, keys)).values()].map((withSetting) => setting(withSetting[0], keys));
      settings.sort((a, b) => compareSettings(a, b, keys));
      const candidates = settings.map((chosen) => {
        const perDataset = datasets.map((dataset) =>
          datasetCandidate(group.filter((cell) => cell.spec.dataset === dataset && settingKey(cell, keys) === JSON.stringify(chosen)), chosen, lastEvaluations),
        );
        return pooled(chosen, perDataset);
      });
      const best = candidates.reduce((a, b) => (b.score > a.score ? b : a));
      choices.push({ algorithm, env, datasets, scope, keys, setting: best.setting, candidates });
    }
  }
  return choices.sort((a, b) => a.algorithm.localeCompare(b.algorithm) || a.env.localeCompare(b.env) || a.datasets.join().localeCompare(b.datasets.join()));
}

/** One setting on one dataset: means over its finished seeds. */
function datasetCandidate(cells: readonly CellResult[], chosen: Record<string, unknown>, lastEvaluations: number): SweepCandidate {
  const done = cells.filter((cell): cell is CellDone => cell.status === 'done');
  const lost = cells.length - done.length;
  if (done.length === 0) return { setting: chosen, score: -Infinity, seeds: 0, lost };
  const last = (cell: CellDone) => cell.curve.slice(-lastEvaluations);
  return {
    setting: chosen,
    score: mean(done.map((cell) => finalScore(cell, lastEvaluations))),
    noiseFree: meanOf(done.map((cell) => meanOf(last(cell).map((point) => noiseFreeNormalised(cell, point))))),
    spread: meanOf(done.map((cell) => meanOf(last(cell).map(meanActionSpread)))),
    seeds: done.length,
    lost,
  };
}

/** A setting over several datasets (one for scope `dataset`): the mean of each measure, −Infinity if any dataset was lost. */
function pooled(chosen: Record<string, unknown>, perDataset: readonly SweepCandidate[]): SweepCandidate {
  const score = perDataset.some((c) => c.score === -Infinity) ? -Infinity : mean(perDataset.map((c) => c.score));
  return {
    setting: chosen,
    score,
    noiseFree: meanOf(perDataset.map((c) => c.noiseFree)),
    spread: meanOf(perDataset.map((c) => c.spread)),
    seeds: perDataset.reduce((sum, c) => sum + c.seeds, 0),
    lost: perDataset.reduce((sum, c) => sum + c.lost, 0),
  };
}

/** The mean of values that are all defined, else undefined (a measure some seed or dataset lacks is not averaged). */
function meanOf(values: readonly (number | undefined)[]): number | undefined {
  const all = allDefined(values);
  return all && mean(all);
}

/** Config keys whose value differs between an algorithm's cells on one env × dataset (a key absent from a cell differs too). */
function sweptKeys(cells: readonly CellResult[]): string[] {
  const keys = new Set<string>();
  for (const group of groupBy(cells, (cell) => JSON.stringify([cell.spec.env, cell.spec.dataset])).values()) {
    const names = new Set(group.flatMap((cell) => Object.keys(cell.spec.config)));
    for (const key of names) {
      if (new Set(group.map((cell) => JSON.stringify(cell.spec.config[key]) ?? '')).size > 1) keys.add(key);
    }
  }
  return [...keys].sort();
}

function setting(cell: CellResult, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in cell.spec.config).map((key) => [key, cell.spec.config[key]]));
}

function settingKey(cell: CellResult, keys: readonly string[]): string {
  return JSON.stringify(setting(cell, keys));
}

/** Key by key: a key left at its default first, then numbers ascending, then anything else by its JSON text. */
function compareSettings(a: Record<string, unknown>, b: Record<string, unknown>, keys: readonly string[]): number {
  for (const key of keys) {
    const [x, y] = [a[key], b[key]];
    if (x === y) continue;
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const order = JSON.stringify(x).localeCompare(JSON.stringify(y));
    if (order !== 0) return order;
  }
  return 0;
}

/** A setting as text, `key=value` pairs (`defaults` when it sets none of the swept keys). */
export function settingText(value: Record<string, unknown>): string {
  const pairs = Object.entries(value).map(([key, v]) => `${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return pairs.length > 0 ? pairs.join(', ') : 'defaults';
}

/**
 * Markdown: per algorithm × env × dataset (or family), one row per setting with its mean final stochastic score (the
 * criterion), noise-free score and action spread, the chosen one in bold.
 */
export function sweepMarkdown(choices: readonly SweepChoice[], lastEvaluations: number): string {
  const number = (x: number | undefined, digits: number) => (x === undefined ? '–' : x.toFixed(digits));
  const rows = choices.flatMap((choice) =>
    choice.candidates.map((candidate) => {
      const chosen = JSON.stringify(candidate.setting) === JSON.stringify(choice.setting);
      const score =
        candidate.score === -Infinity
          ? candidate.lost > 0 ? `lost (${candidate.lost})` : 'not run on every dataset'
          : `${candidate.score.toFixed(1)}${candidate.lost ? ` (${candidate.lost} lost)` : ''}`;
      const cells = [settingText(candidate.setting), String(candidate.seeds), score, number(candidate.noiseFree, 1), number(candidate.spread, 3)];
      const shown = chosen ? cells.map((text) => `**${text}**`) : cells;
      return `| ${choice.algorithm} | ${choice.env} | ${choice.datasets.join(', ')} | ${shown.join(' | ')} | ${chosen ? 'chosen' : ''} |`;
    }),
  );
  const pooling = choices.some((c) => c.scope === 'family') ? ' per task family (the mean of its datasets\' scores),' : '';
  return [
    `Per setting of the swept keys,${pooling} the mean over seeds of the last ${lastEvaluations} evaluations: the protocol's stochastic ` +
      'normalised score (the criterion; ties go to the first setting listed), the noise-free score (the policy\'s noise set to zero) ' +
      'and the action spread (sd over noise draws at fixed dataset observations); – not measured. The chosen setting in bold.',
    '',
    '| algorithm | env | dataset | setting | seeds | stochastic | noise-free | spread | |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n') + '\n';
}

/**
 * A matrix spec whose algorithm entries carry each chosen setting in their per-dataset config (`<env>/<dataset>` → setting):
 * the swept keys an entry already set there are replaced, its other keys kept. A family's choice goes to every dataset it
 * pooled and every dataset the spec runs on that environment.
 */
export function withSweepChoices<S extends SpecAlgorithms>(spec: S, choices: readonly SweepChoice[]): S {
  const picks = choices.flatMap((choice) =>
    [...new Set([...choice.datasets, ...(choice.scope === 'family' ? specDatasets(spec, choice.env) : [])])].map((dataset) => ({ ...choice, dataset })),
  );
  return withPerDataset(spec, 'datasetConfig', picks, (pick, old) => {
    const kept = Object.fromEntries(Object.entries(old ?? {}).filter(([key]) => !pick.keys.includes(key)));
    return { ...kept, ...pick.setting };
  });
}

/** The datasets a spec runs on environment `env` (none when it does not run it). */
function specDatasets(spec: SpecAlgorithms, env: string): string[] {
  return (spec.environments ?? []).filter((entry) => entry.name === env).flatMap((entry) => entry.datasets ?? spec.datasets ?? []);
}

/**
 * A matrix spec whose algorithm entries train, per `<env>/<dataset>`, for the updates from which their curve is flat
 * (`datasetUpdates`). Groups that never flattened are left out: their curve gives no budget, so the spec's own applies.
 */
export function withBudgetChoices<S extends SpecAlgorithms>(spec: S, rows: readonly PlateauRow[]): S {
  const flat = rows.filter((row): row is PlateauRow & { flatFrom: number } => row.flatFrom !== null);
  return withPerDataset(spec, 'datasetUpdates', flat, (row) => row.flatFrom);
}

type SpecAlgorithms = { algorithms: AlgorithmEntry[]; environments?: EnvironmentEntry[]; datasets?: string[] };
type PerDatasetField = 'datasetConfig' | 'datasetUpdates';
/** One entry of a per-dataset table: a config override for `datasetConfig`, a number of updates for `datasetUpdates`. */
type PerDatasetValue<F extends PerDatasetField> = NonNullable<AlgorithmEntry[F]>[string];

/**
 * The spec with `entry[field]['<env>/<dataset>'] = valueOf(pick, old)` for every pick of an algorithm the spec lists on an
 * environment it runs: a study over several task families written into one family's spec leaves the others out.
 */
function withPerDataset<S extends SpecAlgorithms, F extends PerDatasetField, P extends { algorithm: string; env: string; dataset: string }>(
  spec: S,
  field: F,
  picks: readonly P[],
  valueOf: (pick: P, old: PerDatasetValue<F> | undefined) => PerDatasetValue<F>,
): S {
  const runs = (env: string) => spec.environments === undefined || spec.environments.some((entry) => entry.name === env);
  return {
    ...spec,
    algorithms: spec.algorithms.map((entry) => {
      const mine = picks.filter((pick) => pick.algorithm === entry.name && runs(pick.env));
      if (mine.length === 0) return entry;
      const table = { ...(entry[field] ?? {}) } as Record<string, PerDatasetValue<F>>;
      for (const pick of mine) {
        const where = perDatasetKey(pick.env, pick.dataset);
        table[where] = valueOf(pick, table[where]);
      }
      return { ...entry, [field]: table };
    }),
  };
}
