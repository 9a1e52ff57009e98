/**
 * `index.html`: the whole report as one self-contained page — the tables (rendered by the same table model as the
 * Markdown and LaTeX files), the plots as inline SVG, the episode viewer, the dataset cards and the provenance, with
 * inline CSS and one inline script for the viewer. It requests nothing, so it works opened from disk and can be sent
 * as one file.
 */
import type { DatasetCard } from '../data/card.ts';
import { EPISODE_PLAYER_JS, episodeFigures, missingEpisodeFigure } from './episode-svg.ts';
import type { EpisodeView } from './episodes.ts';
import type { Plot } from './plots.ts';
import { escapeHtml, formatNumber, renderTable, type Table } from './table.ts';

export interface ReportPage {
  /** The matrix name (or the folder's). */
  title: string;
  description?: string;
  counts: { cells: number; done: number; diverged: number; failed: number };
  /** The paper tables by name (`returns`, `returns-noise-free`, `returns-raw`, `summary`, `aggregate`, `memory`, `training-time`). */
  tables: Record<string, Table>;
  plots: Plot[];
  /**
   * Groups whose noise-free score lies outside the CI of their stochastic score (`noiseGap`), as `task / dataset / algorithm:
   * stochastic x, noise-free y` lines; undefined when no cell measured a noise-free score.
   */
  noiseGaps?: string[];
  /** The `bench algos` table and where it came from, when there is one. */
  efficiency?: { source: string; table: Table };
  episodes: EpisodeView[];
  datasets: { table: Table; cards: { label: string; card: DatasetCard }[] };
  provenance: { runtimes: Table; matrixSpec?: string; origin: string; options: string };
}

const CSS = `
body { font: 15px/1.45 system-ui, sans-serif; color: #222; margin: 0 auto; max-width: 1320px; padding: 0 24px 48px; }
h1 { margin: 24px 0 4px; font-size: 26px; } h2 { margin-top: 40px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
nav a { margin-right: 14px; } .muted, .note { color: #666; }
table { border-collapse: collapse; margin: 12px 0 24px; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; color: #555; font-size: 13px; padding-bottom: 6px; max-width: 1100px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; }
thead th { border-bottom: 2px solid #bbb; } td.num, th.num { text-align: right; } tbody tr:hover { background: #f6f8fa; }
.table { overflow-x: auto; } .plots, .episodes { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
figure { margin: 0; } figure.plot svg { max-width: 100%; height: auto; }
figure.episode { border: 1px solid #ddd; border-radius: 6px; padding: 8px; background: #fff; }
figure.episode svg { display: block; background: #fafafa; border: 1px solid #eee; }
figure.episode.missing { max-width: 260px; } figcaption { font-size: 13px; margin-bottom: 6px; }
.controls { margin-top: 6px; font-size: 13px; display: flex; gap: 8px; align-items: center; }
.controls .seek { flex: 1; } .legend { font-size: 12px; color: #555; margin-top: 4px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin: 0 4px 0 8px; }
.trail { fill: none; stroke-opacity: 0.45; } .forest { fill-opacity: 0.45; }
.floor line { stroke: #888; stroke-width: 0.012; } .floor text { font-size: 0.1px; fill: #888; text-anchor: middle; }
.flag { border-left: 4px solid #d9822b; background: #fff8ef; padding: 4px 12px; margin: 12px 0; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 12px; } details { margin: 6px 0; }
`;

const table = (id: string, model: Table) => `<div class="table" id="${id}">\n${renderTable(model, 'html')}</div>`;

function section(id: string, title: string, body: string[]): string {
  return [`<section id="${id}">`, `<h2>${escapeHtml(title)}</h2>`, ...body, '</section>'].join('\n');
}

function plotFigure(plot: Plot): string {
  return `<figure class="plot ${plot.kind}" title="${escapeHtml(plot.title)}">${plot.svg}</figure>`;
}

/** Viewers grouped by task × dataset, one per algorithm. */
function episodesBody(episodes: readonly EpisodeView[]): string[] {
  if (episodes.length === 0) return ['<p class="note">No cell finished, so there is no trained agent to watch.</p>'];
  const intro =
    '<p class="muted">One evaluation episode per algorithm (stochastic actions, as in evaluation), rolled out again from the ' +
    'trained weights its lowest-seed cell kept, with the report’s seed. ▶ plays it in real time; the slider shows any step.</p>';
  const groups = new Map<string, EpisodeView[]>();
  for (const view of episodes) {
    const key = `${view.taskId} — ${view.dataset}`;
    groups.set(key, [...(groups.get(key) ?? []), view]);
  }
  const blocks = [...groups.entries()].map(([key, views]) => {
    const played = episodeFigures(
      views.flatMap((view) =>
        'missing' in view ? [] : [{ title: view.algorithm, caption: `return ${formatNumber(view.return)} · weights of seed ${view.seed} (${view.weights})`, scenes: view.scenes }],
      ),
    );
    const figures = views.map((view) => ('missing' in view ? missingEpisodeFigure(view.algorithm, view.missing) : played.shift()!));
    return `<h3>${escapeHtml(key)}</h3>\n<div class="episodes">\n${figures.join('\n')}\n</div>`;
  });
  return [intro, ...blocks];
}

/** The flag of groups whose two scores disagree beyond the seeds' CI, above the returns. */
function noiseGapNote(gaps: readonly string[] | undefined): string {
  if (gaps === undefined) return '<p class="note">These cells did not measure a noise-free score (results written before it was measured).</p>';
  const intro =
    'Scores use the protocol’s stochastic evaluation (fresh noise at every action). The noise-free score evaluates the same ' +
    'episodes with the noise set to zero';
  if (gaps.length === 0) return `<p class="muted">${intro}; in no group does it lie outside the 95 % CI of the stochastic score.</p>`;
  const items = gaps.map((gap) => `<li>${escapeHtml(gap)}</li>`).join('');
  return `<div class="flag"><p><strong>⚑ Sampler noise decides the score</strong> in ${gaps.length} group(s): ${intro}, and its mean lies outside the 95 % CI of the stochastic mean (table “Gap”).</p><ul>${items}</ul></div>`;
}

/** The page. */
export function renderReportHtml(page: ReportPage): string {
  const { counts, tables, plots, efficiency, datasets, provenance } = page;
  const curves = plots.filter((plot) => plot.kind === 'curves' || plot.kind === 'spread');
  const profile = plots.filter((plot) => plot.kind === 'profile');
  const sections = [
    section('returns', 'Returns', [
      noiseGapNote(page.noiseGaps),
      table('returns-normalised', tables.returns),
      table('returns-noise-free', tables['returns-noise-free']),
      table('returns-raw', tables['returns-raw']),
      table('summary', tables.summary),
    ]),
    section('curves', 'Learning curves', [`<div class="plots">\n${curves.map(plotFigure).join('\n')}\n</div>`]),
    section('aggregate', 'Across tasks', [`<div class="plots">\n${profile.map(plotFigure).join('\n')}\n</div>`, table('aggregate-table', tables.aggregate)]),
    section('efficiency', 'Memory and speed', [
      table('memory', tables.memory),
      table('training-time', tables['training-time']),
      efficiency
        ? `<p class="muted">From <code>${escapeHtml(efficiency.source)}</code> (<code>bench algos</code>):</p>\n${table('bench-algos', efficiency.table)}`
        : '<p class="note">No <code>bench algos</code> table: put its <code>efficiency.csv</code> in this folder (<code>bench algos --out &lt;this folder&gt;</code>) or pass <code>report --efficiency &lt;file&gt;</code>.</p>',
    ]),
    section('episodes', 'Episodes', episodesBody(page.episodes)),
    section('datasets', 'Datasets', [
      table('dataset-cards', datasets.table),
      ...datasets.cards.map(({ label, card }) => `<details><summary>card of ${escapeHtml(label)}</summary><pre>${escapeHtml(JSON.stringify(card, null, 2))}</pre></details>`),
    ]),
    section('provenance', 'Provenance', [
      table('runtimes', provenance.runtimes),
      provenance.matrixSpec
        ? `<details><summary>matrix spec (matrix.json)</summary><pre>${escapeHtml(provenance.matrixSpec)}</pre></details>`
        : '<p class="note">No matrix.json in this folder: the cells did not come from <code>matrix run</code>.</p>',
      `<p class="muted">Report written by ${escapeHtml(provenance.origin)}; ${escapeHtml(provenance.options)}.</p>`,
    ]),
  ];
  const nav = ['returns', 'curves', 'aggregate', 'efficiency', 'episodes', 'datasets', 'provenance'].map((id) => `<a href="#${id}">${id}</a>`).join('');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>om2p-bench report: ${escapeHtml(page.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>om2p-bench report: ${escapeHtml(page.title)}</h1>`,
    page.description ? `<p>${escapeHtml(page.description)}</p>` : '',
    `<p class="muted">${counts.cells} cells: ${counts.done} finished, ${counts.diverged} diverged, ${counts.failed} failed.</p>`,
    `<nav>${nav}</nav>`,
    ...sections,
    `<script>${EPISODE_PLAYER_JS}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
