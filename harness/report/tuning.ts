/**
 * The two choices the quick matrix takes from committed runs (issue 13): its budget, from learning curves run far past it
 * (`plateauTable`), and the Q weight per dataset, from a sweep over the values the paper tunes (`sweepChoices`). Both read normalised
 * evaluation scores (spec §1.6) of finished cells; both are rules written down here so that anyone can re-derive the
 * numbers from the committed cells.
 */
import type { CellDone, CellResult } from '../../contracts/types.ts';
import { mean } from '../stats/index.ts';
import { perDatasetKey, type AlgorithmEntry } from '../run/expand.ts';
import { groupBy } from './cells.ts';

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

// ---------------------------------------------------------------- the Q weight

export interface SweepCandidate {
  value: number;
  /** Mean over finished seeds of `finalScore`; −Infinity when every seed diverged or failed. */
  score: number;
  seeds: number;
  /** Seeds that diverged or failed (such a value is never chosen over one that finished). */
  lost: number;
}

export interface SweepChoice {
  algorithm: string;
  env: string;
  dataset: string;
  /** The config key the sweep varied for this algorithm (η for om2p and flow, α for fql). */
  key: string;
  value: number;
  candidates: SweepCandidate[];
}

/**
 * Per algorithm × env × dataset of a sweep, the value of the swept config key with the highest mean final score; a tie goes
 * to the smaller value. The swept key of an algorithm is the one numeric config key whose value differs between its cells;
 * an algorithm that ran with a single config is not part of the sweep, one that varied several keys is an error.
 */
export function sweepChoices(cells: readonly CellResult[], lastEvaluations = 3): SweepChoice[] {
  const choices: SweepChoice[] = [];
  for (const [algorithm, runs] of groupBy(cells, (cell) => cell.spec.algorithm)) {
    const key = sweptKey(algorithm, runs);
    if (key === null) continue;
    for (const [where, group] of groupBy(runs, (cell) => JSON.stringify([cell.spec.env, cell.spec.dataset]))) {
      const [env, dataset] = JSON.parse(where) as string[];
      const values = [...new Set(group.map((cell) => cell.spec.config[key] as number))].sort((a, b) => a - b);
      const candidates = values.map((value): SweepCandidate => {
        const withValue = group.filter((cell) => cell.spec.config[key] === value);
        const done = withValue.filter((cell): cell is CellDone => cell.status === 'done');
        const score = done.length ? mean(done.map((cell) => finalScore(cell, lastEvaluations))) : -Infinity;
        return { value, score, seeds: done.length, lost: withValue.length - done.length };
      });
      const best = candidates.reduce((a, b) => (b.score > a.score ? b : a));
      choices.push({ algorithm, env, dataset, key, value: best.value, candidates });
    }
  }
  return choices.sort((a, b) => a.algorithm.localeCompare(b.algorithm) || a.env.localeCompare(b.env) || a.dataset.localeCompare(b.dataset));
}

function sweptKey(algorithm: string, cells: readonly CellResult[]): string | null {
  const keys = new Set(cells.flatMap((cell) => Object.keys(cell.spec.config)));
  const varied = [...keys].filter((key) => new Set(cells.map((cell) => JSON.stringify(cell.spec.config[key]))).size > 1);
  if (varied.length === 0) return null;
  if (varied.length > 1 || cells.some((cell) => typeof cell.spec.config[varied[0]] !== 'number')) {
    throw new Error(`${algorithm}: a sweep varies one numeric config key, these cells vary ${varied.join(', ')}`);
  }
  return varied[0];
}

/** Markdown: one row per algorithm × env × dataset, one column per swept value (mean final score, n), the chosen one in bold. */
export function sweepMarkdown(choices: readonly SweepChoice[], lastEvaluations: number): string {
  const width = Math.max(...choices.map((c) => c.candidates.length));
  const cell = (choice: SweepChoice, k: number) => {
    const candidate = choice.candidates[k];
    if (!candidate) return '–';
    const score = candidate.seeds === 0 ? `lost (${candidate.lost})` : `${candidate.score.toFixed(1)}${candidate.lost ? ` (${candidate.lost} lost)` : ''}`;
    const text = `${choice.key} ${candidate.value}: ${score}`;
    return candidate.value === choice.value ? `**${text}**` : text;
  };
  return [
    `Mean normalised score of the last ${lastEvaluations} evaluations, over seeds, per value of the swept key; the chosen one in bold (ties: the smaller value).`,
    '',
    `| algorithm | env | dataset | seeds | ${Array.from({ length: width }, (_, k) => `value ${k + 1}`).join(' | ')} | chosen |`,
    `| --- | --- | --- | ---: | ${Array.from({ length: width }, () => '---').join(' | ')} | ---: |`,
    ...choices.map((c) => `| ${c.algorithm} | ${c.env} | ${c.dataset} | ${Math.max(...c.candidates.map((k) => k.seeds))} | ${Array.from({ length: width }, (_, k) => cell(c, k)).join(' | ')} | ${c.key} = ${c.value} |`),
  ].join('\n') + '\n';
}

/** A matrix spec whose algorithm entries carry each chosen value in their per-dataset config (`<env>/<dataset>` → {key: value}). */
export function withSweepChoices<S extends SpecAlgorithms>(spec: S, choices: readonly SweepChoice[]): S {
  return withPerDataset(spec, 'datasetConfig', choices, (choice, old) => ({ ...(old ?? {}), [choice.key]: choice.value }));
}

/**
 * A matrix spec whose algorithm entries train, per `<env>/<dataset>`, for the updates from which their curve is flat
 * (`datasetUpdates`). Groups that never flattened are left out: their curve gives no budget, so the spec's own applies.
 */
export function withBudgetChoices<S extends SpecAlgorithms>(spec: S, rows: readonly PlateauRow[]): S {
  const flat = rows.filter((row): row is PlateauRow & { flatFrom: number } => row.flatFrom !== null);
  return withPerDataset(spec, 'datasetUpdates', flat, (row) => row.flatFrom);
}

type SpecAlgorithms = { algorithms: AlgorithmEntry[] };
type PerDatasetField = 'datasetConfig' | 'datasetUpdates';
/** One entry of a per-dataset table: a config override for `datasetConfig`, a number of updates for `datasetUpdates`. */
type PerDatasetValue<F extends PerDatasetField> = NonNullable<AlgorithmEntry[F]>[string];

/** The spec with `entry[field]['<env>/<dataset>'] = valueOf(pick, old)` for every pick of an algorithm the spec lists. */
function withPerDataset<S extends SpecAlgorithms, F extends PerDatasetField, P extends { algorithm: string; env: string; dataset: string }>(
  spec: S,
  field: F,
  picks: readonly P[],
  valueOf: (pick: P, old: PerDatasetValue<F> | undefined) => PerDatasetValue<F>,
): S {
  return {
    ...spec,
    algorithms: spec.algorithms.map((entry) => {
      const mine = picks.filter((pick) => pick.algorithm === entry.name);
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
