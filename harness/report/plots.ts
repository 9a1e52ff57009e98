/**
 * SVG plots through vega-lite → vega, rendered headless (`renderer: 'none'`): learning curves per task × dataset
 * (mean normalised return over finished seeds against updates, ± one standard error as a band) and the
 * performance profile of every algorithm across all tasks (spec §5).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { mean, performanceProfile, standardError } from '../stats/index.ts';
import { doneCells, groupBy, orderAlgorithms, type LabelledCell } from './cells.ts';
import { scoresByAlgorithm } from './aggregate.ts';

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

/** One curve point per algorithm and evaluation update: mean over seeds and the ± se band (no band for one seed). */
function curvePoints(cells: readonly LabelledCell[]): Record<string, number | string>[] {
  const done = doneCells(cells);
  const points = done.flatMap(({ cell, algorithm }) => cell.curve.map((point) => ({ algorithm, update: point.update, score: point.normalised })));
  return [...groupBy(points, (p) => `${p.algorithm}\u0000${p.update}`).values()].map((group) => {
    const scores = group.map((p) => p.score);
    const centre = mean(scores);
    const se = scores.length >= 2 ? standardError(scores) : 0;
    return { algorithm: group[0].algorithm, update: group[0].update, mean: centre, lower: centre - se, upper: centre + se, seeds: scores.length };
  });
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
    },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' } } },
      {
        // point markers only while they stay readable (a paper-scale run has ~100 evaluations)
        mark: { type: 'line', point: new Set(values.map((v) => v.update)).size <= MAX_MARKED_EVALUATIONS },
        encoding: { y: { field: 'mean', type: 'quantitative', title: 'normalised return (mean ± se over seeds)' } },
      },
    ],
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

/** One rendered plot: learning curves of one task × dataset, or the performance profile over all of them. */
export interface Plot {
  kind: 'curves' | 'profile';
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
