/**
 * SVG plots through vega-lite → vega, rendered headless (`renderer: 'none'`): learning curves per task × dataset
 * (mean normalised return over finished seeds against updates, ± one standard error as a band; the noise-free score dashed),
 * the action spread per task × dataset beside the data's behaviour noise, and the performance profile of every algorithm
 * across all tasks (spec §5).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { mean, performanceProfile, standardError } from '../stats/index.ts';
import { doneCells, groupBy, orderAlgorithms, type LabelledCell } from './cells.ts';
import { scoresByAlgorithm } from './aggregate.ts';
import { behaviourNoise, meanActionSpread } from './sampler.ts';

/** Points of the performance profile's τ grid. */
const PROFILE_POINTS = 101;
/** Learning curves with more evaluation points than this are drawn without point markers. */
const MAX_MARKED_EVALUATIONS = 30;

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A file-name-safe form of a task id or dataset (`simple_tag[prey=scripted]` → `simple_tag_prey_scripted_`). */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/** How a curve point was evaluated: the protocol's fresh noise, or the noise set to zero (issue 23). */
const STOCHASTIC = 'stochastic';
const NOISE_FREE = 'noise-free';

/** A series of a curve plot: per algorithm, update and evaluation, one value per seed. */
type SeriesPoint = { algorithm: string; update: number; evaluation: string; value: number };

/**
 * One curve point per series and evaluation update: mean over seeds and the ± se band (no band for one seed). A series is
 * drawn only where every seed has the value at that update.
 */
function meanOverSeeds(points: readonly SeriesPoint[], seedsOf: (algorithm: string) => number): Record<string, number | string>[] {
  return [...groupBy(points, (p) => `${p.algorithm}\u0000${p.evaluation}\u0000${p.update}`).values()]
    .filter((group) => group.length === seedsOf(group[0].algorithm))
    .map((group) => {
      const values = group.map((p) => p.value);
      const centre = mean(values);
      const se = values.length >= 2 ? standardError(values) : 0;
      const { algorithm, update, evaluation } = group[0];
      return { algorithm, update, evaluation, mean: centre, lower: centre - se, upper: centre + se, seeds: values.length };
    });
}

/**
 * The normalised score per algorithm and update, stochastic and (dashed) noise-free. A deterministic policy's noise-free curve
 * is its stochastic one and is not drawn twice.
 */
function curvePoints(cells: readonly LabelledCell[]): Record<string, number | string>[] {
  const done = doneCells(cells);
  const points = done.flatMap(({ cell, algorithm }) =>
    cell.curve.flatMap((point): SeriesPoint[] => {
      const stochastic = { algorithm, update: point.update, evaluation: STOCHASTIC, value: point.normalised };
      return point.noiseFree ? [stochastic, { ...stochastic, evaluation: NOISE_FREE, value: point.noiseFree.normalised }] : [stochastic];
    }),
  );
  return meanOverSeeds(points, seedCounter(done));
}

/** The action spread (mean over agents) per algorithm and update, where the cells measured it. */
function spreadPoints(cells: readonly LabelledCell[]): Record<string, number | string>[] {
  const done = doneCells(cells);
  const points = done.flatMap(({ cell, algorithm }) =>
    cell.curve.flatMap((point): SeriesPoint[] => {
      const value = meanActionSpread(point);
      return value === undefined ? [] : [{ algorithm, update: point.update, evaluation: 'spread', value }];
    }),
  );
  return meanOverSeeds(points, seedCounter(done));
}

function seedCounter(done: readonly LabelledCell[]): (algorithm: string) => number {
  const counts = new Map<string, number>();
  for (const { algorithm } of done) counts.set(algorithm, (counts.get(algorithm) ?? 0) + 1);
  return (algorithm) => counts.get(algorithm) ?? 0;
}

function curvesSpec(title: string, values: Record<string, number | string>[], algorithms: string[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 300,
    data: { values },
    encoding: {
      x: { field: 'update', type: 'quantitative', title: 'gradient updates' },
      color: { field: 'algorithm', type: 'nominal', sort: algorithms, title: 'algorithm' },
      strokeDash: { field: 'evaluation', type: 'nominal', sort: [STOCHASTIC, NOISE_FREE], title: 'evaluation' },
    },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        transform: [{ filter: { field: 'evaluation', equal: STOCHASTIC } }],
        encoding: { y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' }, strokeDash: { value: [1, 0] } },
      },
      {
        // point markers only while they stay readable (a paper-scale run has ~100 evaluations)
        mark: { type: 'line', point: new Set(values.map((v) => v.update)).size <= MAX_MARKED_EVALUATIONS },
        encoding: {
          y: { field: 'mean', type: 'quantitative', title: 'normalised return (mean ± se over seeds)' },
          detail: { field: 'evaluation', type: 'nominal' },
        },
      },
    ],
  };
}

/** The action spread against updates, with the data's behaviour noise as a grey rule where the cards record it. */
function spreadSpec(title: string, values: Record<string, number | string>[], algorithms: string[], behaviourNoise: number | undefined): TopLevelSpec {
  const line = {
    mark: { type: 'line' as const, point: new Set(values.map((v) => v.update)).size <= MAX_MARKED_EVALUATIONS },
    encoding: {
      x: { field: 'update', type: 'quantitative' as const, title: 'gradient updates' },
      y: { field: 'mean', type: 'quantitative' as const, title: 'action spread (sd over noise draws; mean over seeds)' },
      color: { field: 'algorithm', type: 'nominal' as const, sort: algorithms, title: 'algorithm' },
    },
  };
  const rule = { data: { values: [{ noise: behaviourNoise }] }, mark: { type: 'rule' as const, color: '#888', strokeDash: [4, 4] }, encoding: { y: { field: 'noise', type: 'quantitative' as const } } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: behaviourNoise === undefined ? title : `${title} (dashed: behaviour noise ${behaviourNoise})`,
    width: 480,
    height: 300,
    data: { values },
    layer: behaviourNoise === undefined ? [line] : [line, rule],
  };
}

function profileSpec(values: Record<string, number | string>[], algorithms: string[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Performance profile: normalised last-evaluation score, all tasks',
    width: 480,
    height: 300,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'tau', type: 'quantitative', title: 'normalised score τ' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of runs with score > τ', scale: { domain: [0, 1] } },
      color: { field: 'algorithm', type: 'nominal', sort: algorithms, title: 'algorithm' },
    },
  };
}

/** F(τ) on an even grid spanning every finished run's score, one series per algorithm. */
function profilePoints(cells: readonly LabelledCell[]): Record<string, number | string>[] {
  const scores = scoresByAlgorithm(cells);
  const all = [...scores.values()].flatMap((byTask) => [...byTask.values()].flat());
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  // a 5 % margin on both sides shows the profile starting at 1 and reaching 0
  const margin = hi > lo ? 0.05 * (hi - lo) : 1;
  const start = lo - margin;
  const step = (hi - lo + 2 * margin) / (PROFILE_POINTS - 1);
  const taus = Array.from({ length: PROFILE_POINTS }, (_, k) => start + k * step);
  return [...scores.entries()].flatMap(([algorithm, byTask]) => {
    const fractions = performanceProfile([...byTask.values()], taus);
    return taus.map((tau, k) => ({ algorithm, tau, fraction: fractions[k] }));
  });
}

/** One rendered plot: learning curves or action spreads of one task × dataset, or the performance profile over all of them. */
export interface Plot {
  kind: 'curves' | 'spread' | 'profile';
  /** File name inside `plots/`. */
  file: string;
  title: string;
  svg: string;
}

/** The curve plots, one per task × dataset in first-seen order, then the profile (none when no cell finished). */
export async function renderPlots(cells: readonly LabelledCell[]): Promise<Plot[]> {
  const done = doneCells(cells);
  if (done.length === 0) return [];
  const algorithms = orderAlgorithms(done.map(({ algorithm }) => algorithm));
  const plots: Plot[] = [];
  for (const group of groupBy(done, ({ cell }) => JSON.stringify([cell.taskId, cell.spec.dataset])).values()) {
    const { taskId, spec } = group[0].cell;
    const title = `${taskId} — ${spec.dataset}`;
    const file = `curves-${fileSafe(taskId)}-${fileSafe(spec.dataset)}.svg`;
    plots.push({ kind: 'curves', file, title, svg: await renderSvg(curvesSpec(title, curvePoints(group), algorithms)) });
    const spreads = spreadPoints(group);
    if (spreads.length > 0) {
      const noises = new Set(group.map(({ cell }) => behaviourNoise(cell)));
      const noise = noises.size === 1 ? [...noises][0] : undefined;
      const spreadFile = `spread-${fileSafe(taskId)}-${fileSafe(spec.dataset)}.svg`;
      plots.push({ kind: 'spread', file: spreadFile, title: `${title}: action spread`, svg: await renderSvg(spreadSpec(`${title}: action spread`, spreads, algorithms, noise)) });
    }
  }
  const profile = profileSpec(profilePoints(done), algorithms);
  plots.push({ kind: 'profile', file: 'profile.svg', title: String(profile.title), svg: await renderSvg(profile) });
  return plots;
}

/** Writes each plot into `plotsDir`; returns the paths. */
export function writePlots(plotsDir: string, plots: readonly Plot[]): string[] {
  return plots.map(({ file, svg }) => {
    const path = join(plotsDir, file);
    writeFileSync(path, svg);
    return path;
  });
}
