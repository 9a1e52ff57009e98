/**
 * The two choices the quick matrix takes from committed runs (issue 13): its budget, from learning curves run far past it
 * (`plateauTable`), and η per dataset, from a sweep over the values the paper tunes (`etaChoices`). Both read normalised
 * evaluation scores (SPEC §1.6) of finished cells; both are rules written down here so that anyone can re-derive the
 * numbers from the committed cells.
 */
import type { CellDone, CellResult } from '../types.ts';
import { groupBy } from './cells.ts';

/** Mean normalised score of a cell's last `k` evaluations: less noisy than the last one alone. */
export function finalScore(cell: CellDone, k: number): number {
  const tail = cell.curve.slice(-k);
  return tail.reduce((sum, point) => sum + point.normalised, 0) / tail.length;
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
    const mean = updates.map((_, i) => average(at(i)));
    const range = updates.map((_, i) => Math.max(...at(i)) - Math.min(...at(i)));
    const half = updates.findIndex((u) => u >= updates[updates.length - 1] / 2);
    const plateau = average(mean.slice(half));
    const spread = average(range.slice(half));
    let flatIndex = -1;
    for (let i = window; i < updates.length && flatIndex < 0; i++) {
      if (mean.slice(i - window + 1, i + 1).every((m) => Math.abs(m - plateau) <= spread)) flatIndex = i;
    }
    rows.push({
      env,
      dataset,
      algorithm,
      seeds: group.length,
      plateau,
      spread,
      flatFrom: flatIndex < 0 ? null : updates[flatIndex],
      scoreAtFlat: flatIndex < 0 ? null : mean[flatIndex],
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
        : `every curve is flat (last ${window} evaluations within the seeds' spread of its plateau) from ${latest} updates on`;
  return `${lines.join('\n')}\n\n${verdict}\n`;
}

// ---------------------------------------------------------------- η

export interface EtaCandidate {
  eta: number;
  /** Mean over finished seeds of `finalScore`; −Infinity when every seed diverged or failed. */
  score: number;
  seeds: number;
  /** Seeds that diverged or failed (such an η is never chosen over one that finished). */
  lost: number;
}

export interface EtaChoice {
  algorithm: string;
  env: string;
  dataset: string;
  eta: number;
  candidates: EtaCandidate[];
}

/**
 * Per algorithm × env × dataset of a sweep (cells whose config sets `eta`), the η with the highest mean final score;
 * a tie goes to the smaller η (the weaker Q term). Cells without an `eta` override are not part of a sweep and are skipped.
 */
export function etaChoices(cells: readonly CellResult[], lastEvaluations = 3): EtaChoice[] {
  const swept = cells.filter((cell) => typeof cell.spec.config.eta === 'number');
  const choices: EtaChoice[] = [];
  for (const [key, group] of groupBy(swept, (cell) => JSON.stringify([cell.spec.algorithm, cell.spec.env, cell.spec.dataset]))) {
    const [algorithm, env, dataset] = JSON.parse(key) as string[];
    const etas = [...new Set(group.map((cell) => cell.spec.config.eta as number))].sort((a, b) => a - b);
    const candidates = etas.map((eta): EtaCandidate => {
      const runs = group.filter((cell) => cell.spec.config.eta === eta);
      const done = runs.filter((cell): cell is CellDone => cell.status === 'done');
      return { eta, score: done.length ? average(done.map((cell) => finalScore(cell, lastEvaluations))) : -Infinity, seeds: done.length, lost: runs.length - done.length };
    });
    const best = candidates.reduce((a, b) => (b.score > a.score ? b : a));
    choices.push({ algorithm, env, dataset, eta: best.eta, candidates });
  }
  return choices.sort((a, b) => a.algorithm.localeCompare(b.algorithm) || a.env.localeCompare(b.env) || a.dataset.localeCompare(b.dataset));
}

/** Markdown: one row per algorithm × env × dataset, one column per η (mean final score, n), the chosen η in bold. */
export function etaMarkdown(choices: readonly EtaChoice[], lastEvaluations: number): string {
  const etas = [...new Set(choices.flatMap((c) => c.candidates.map((k) => k.eta)))].sort((a, b) => a - b);
  const cell = (choice: EtaChoice, eta: number) => {
    const k = choice.candidates.find((c) => c.eta === eta);
    if (!k) return '–';
    const text = k.seeds === 0 ? `lost (${k.lost})` : `${k.score.toFixed(1)} (n=${k.seeds}${k.lost ? `, ${k.lost} lost` : ''})`;
    return eta === choice.eta ? `**${text}**` : text;
  };
  return [
    `Mean normalised score of the last ${lastEvaluations} evaluations, over seeds; the chosen η in bold.`,
    '',
    `| algorithm | env | dataset | ${etas.map((e) => `η = ${e}`).join(' | ')} | chosen η |`,
    `| --- | --- | --- | ${etas.map(() => '---:').join(' | ')} | ---: |`,
    ...choices.map((c) => `| ${c.algorithm} | ${c.env} | ${c.dataset} | ${etas.map((e) => cell(c, e)).join(' | ')} | ${c.eta} |`),
  ].join('\n') + '\n';
}

/** A matrix spec's algorithm entries with each chosen η written into its `eta` table (`<env>/<dataset>` → η). */
export function withEtaTable<S extends { algorithms: { name: string; eta?: Record<string, number> }[] }>(spec: S, choices: readonly EtaChoice[]): S {
  return {
    ...spec,
    algorithms: spec.algorithms.map((entry) => {
      const mine = choices.filter((choice) => choice.algorithm === entry.name);
      if (mine.length === 0) return entry;
      return { ...entry, eta: { ...(entry.eta ?? {}), ...Object.fromEntries(mine.map((c) => [`${c.env}/${c.dataset}`, c.eta])) } };
    }),
  };
}

// ---------------------------------------------------------------- helpers

function average(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
