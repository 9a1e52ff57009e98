/**
 * The report page as a person sees it, in headless Chromium driven by puppeteer-core (which never downloads a browser:
 * it drives the system's `chromium`, or the one `OM2P_CHROMIUM` names). Skipped, saying so, when there is none.
 *
 * Two pages: the committed quick results (24 cells with their kept agents, which the viewer replays) with a
 * `bench algos` efficiency.csv measured here (bc and om2p, tiny networks) beside them, and a
 * tiny matrix trained here (every algorithm on cooperative navigation and HalfCheetah, smoke datasets, 2 updates), whose
 * kept agents the viewer replays. Screenshots go to `OM2P_SCREENSHOT_DIR` (`docs` refreshes the README's) or a temp folder.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runEnvironment } from '../../harness/backend.ts';
import { benchAlgorithms } from '../../harness/measure/algos.ts';
import { writeEfficiencyOutputs } from '../../harness/report/algos-output.ts';
import { rolloutRequest } from '../../harness/commands/env.ts';
import { rollout } from '../../harness/run/episodes.ts';
import { runMatrix } from '../../harness/run/matrix.ts';
import { readCellResults, weightsPath } from '../../harness/run/store.ts';
import { writeReport } from '../../harness/report/index.ts';
import type { CellResult } from '../../contracts/types.ts';

const RESULTS = resolve(import.meta.dirname, '../../results/reference');

/** Every built-in algorithm, in report order: om2p first, then alphabetical. */
const ALGORITHMS = ['om2p', 'bc', 'diffusion', 'flow', 'fql', 'td3bc'];

/** The algorithm with the highest mean last normalised score over finished cells of `dataset`. */
function bestAlgorithm(cells: Iterable<CellResult>, dataset: string): string {
  const scores = new Map<string, number[]>();
  for (const cell of cells) {
    if (cell.status !== 'done' || cell.spec.dataset !== dataset) continue;
    scores.set(cell.spec.algorithm, [...(scores.get(cell.spec.algorithm) ?? []), cell.last.normalised]);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return [...scores].sort((a, b) => mean(b[1]) - mean(a[1]))[0][0];
}

/** `OM2P_CHROMIUM`, else the first of chromium / chromium-browser / google-chrome on the PATH. */
function findChromium(): string | undefined {
  if (process.env.OM2P_CHROMIUM) return process.env.OM2P_CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      // not on the PATH: try the next name
    }
  }
  return undefined;
}

const chromium = findChromium();
const SKIPPED = 'skipped: no Chromium found (install it, e.g. apt-get install chromium, or set OM2P_CHROMIUM to its path)';
if (!chromium) console.warn(`test/report/browser.test.ts ${SKIPPED}`);

/** What a page did while it loaded: requests, failures and console errors. */
interface Visit {
  page: Page;
  requests: string[];
  failed: string[];
  errors: string[];
}

describe.skipIf(!chromium)(`the report page in headless Chromium${chromium ? '' : ` (${SKIPPED})`}`, () => {
  const root = mkdtempSync(join(tmpdir(), 'om2p-browser-'));
  const dataDir = join(root, 'data');
  const quick = join(root, 'quick');
  const fresh = join(root, 'fresh');
  const shots = resolve(process.env.OM2P_SCREENSHOT_DIR ?? join(root, 'shots'));
  let browser: Browser;

  async function visit(dir: string): Promise<Visit> {
    const page = await browser.newPage();
    const visited: Visit = { page, requests: [], failed: [], errors: [] };
    page.on('request', (request) => visited.requests.push(request.url()));
    page.on('requestfailed', (request) => visited.failed.push(request.url()));
    page.on('console', (message) => message.type() === 'error' && visited.errors.push(message.text()));
    page.on('pageerror', (error) => visited.errors.push(String(error)));
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(join(dir, 'index.html')).href, { waitUntil: 'load' });
    return visited;
  }

  const count = (page: Page, selector: string) => page.$$eval(selector, (elements) => elements.length);
  const texts = (page: Page, selector: string) => page.$$eval(selector, (elements) => elements.map((e) => e.textContent ?? ''));

  beforeAll(async () => {
    await initBackend('wasm', () => undefined);
    mkdirSync(quick);
    for (const part of ['cells', 'matrix.json']) cpSync(join(RESULTS, 'quick', part), join(quick, part), { recursive: true });
    const tiny = { hidden: [16], batchSize: 8 };
    const bench = { env: 'simple_spread', preset: 'cpu' as const, algorithms: ['bc', 'om2p'], ablations: false, updates: 2, evalBatch: 3, seed: 0 };
    const measured = await benchAlgorithms({ ...bench, baseOverrides: { bc: tiny, om2p: tiny } }, runEnvironment());
    writeEfficiencyOutputs(quick, measured, { runtime: runEnvironment(), updates: bench.updates });
    await writeReport(quick, { reps: 200, dataDir });
    const spec = join(root, 'fresh.json');
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'fresh',
        description: 'every algorithm, two tasks, two updates: trained agents to watch',
        datasetPreset: 'smoke',
        algorithms: ALGORITHMS.map((name) => ({ name, config: { hidden: [16], batchSize: 32 } })),
        environments: [{ name: 'simple_spread' }, { name: 'halfcheetah-2x3' }],
        datasets: ['expert'],
        seeds: [0],
        budget: { updates: 2, evalEvery: 2, episodes: 1 },
      }),
    );
    const run = await runMatrix({ spec, out: fresh, workers: 0, plugins: [], dataDir, progress: false, log: () => undefined });
    expect(run.failed).toEqual([]);
    await writeReport(fresh, { reps: 200, dataDir });
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe('the committed quick results (6 algorithms × cooperative navigation × 2 datasets × 2 seeds)', () => {
    let visited: Visit;
    beforeAll(async () => {
      visited = await visit(quick);
    });

    it('loads from disk without a request beyond the file itself, a failed request or a console error', () => {
      expect(visited.requests.every((url) => url.startsWith('file://') || url.startsWith('data:'))).toBe(true);
      expect(visited.requests.filter((url) => url.startsWith('file://'))).toEqual([pathToFileURL(join(quick, 'index.html')).href]);
      expect(visited.failed).toEqual([]);
      expect(visited.errors).toEqual([]);
    });

    it('shows the returns tables: one row per dataset (best in bold) and one summary row per dataset × algorithm', async () => {
      const { page } = visited;
      expect(await count(page, '#returns-normalised tbody tr')).toBe(2);
      expect(await count(page, '#returns-raw tbody tr')).toBe(2);
      expect(await texts(page, '#returns-normalised thead th')).toEqual(['Task', 'Dataset', ...ALGORITHMS]);
      for (const row of await page.$$('#returns-normalised tbody tr')) expect(await row.$$eval('strong', (bold) => bold.length)).toBeGreaterThanOrEqual(1);
      expect(await count(page, '#summary tbody tr')).toBe(12);
      // the bold cell of each row is the algorithm whose mean last normalised score over the committed cells is highest
      for (const [row, dataset] of (await texts(page, '#returns-normalised tbody tr td:nth-child(2)')).entries()) {
        const best = bestAlgorithm(readCellResults(quick).results.values(), dataset);
        const boldColumns = await page.$$eval(`#returns-normalised tbody tr:nth-child(${row + 1}) td`, (cells) =>
          cells.flatMap((cell, column) => (cell.querySelector('strong') ? [column] : [])),
        );
        expect(boldColumns).toEqual([2 + ALGORITHMS.indexOf(best)]);
      }
    });

    it('draws one learning-curve plot per task × dataset and the performance profile', async () => {
      expect(await count(visited.page, 'figure.plot.curves svg')).toBe(2);
      expect(await count(visited.page, 'figure.plot.profile svg')).toBe(1);
      // IQM of 6 algorithms and P(om2p > each of the other 5)
      expect(await count(visited.page, '#aggregate-table tbody tr')).toBe(11);
    });

    it('shows the memory and update-time tables, one row per task, and the bench-algos table of the efficiency.csv beside them', async () => {
      expect(await count(visited.page, '#memory tbody tr')).toBe(1);
      expect(await count(visited.page, '#training-time tbody tr')).toBe(1);
      const csvLines = readFileSync(join(quick, 'efficiency.csv'), 'utf8').trim().split('\n');
      expect(await count(visited.page, '#bench-algos tbody tr')).toBe(csvLines.length - 1);
    });

    it('plays one kept agent per dataset × algorithm: three agents and three landmarks with their trails, 25 steps', async () => {
      expect(await count(visited.page, 'figure.episode.missing')).toBe(0);
      const drawn = await visited.page.$$eval('figure.episode[data-steps]', (all) =>
        all.map((figure) => ({
          circles: figure.querySelectorAll('svg circle.shape').length,
          trails: figure.querySelectorAll('svg polyline.trail').length,
          steps: figure.getAttribute('data-steps'),
        })),
      );
      expect(drawn).toEqual(Array.from({ length: 2 * ALGORITHMS.length }, () => ({ circles: 6, trails: 3, steps: '25' })));
    });
  });

  describe('a freshly trained matrix, whose cells kept their agents', () => {
    let visited: Visit;
    beforeAll(async () => {
      visited = await visit(fresh);
    });

    it('loads without a request beyond the file itself, a failed request or a console error', () => {
      expect(visited.requests).toEqual([pathToFileURL(join(fresh, 'index.html')).href]);
      expect(visited.failed).toEqual([]);
      expect(visited.errors).toEqual([]);
    });

    it('plays one episode per task × algorithm: three agents and three landmarks with trails, or the cheetah’s eight capsules', async () => {
      const { page } = visited;
      const figures = await page.$$('figure.episode[data-steps]');
      expect(figures).toHaveLength(2 * ALGORITHMS.length);
      const drawn = await page.$$eval('figure.episode[data-steps]', (all) =>
        all.map((figure) => ({
          title: figure.querySelector('figcaption strong')?.textContent,
          circles: figure.querySelectorAll('svg circle.shape').length,
          trails: figure.querySelectorAll('svg polyline.trail').length,
          segments: figure.querySelectorAll('svg line.shape').length,
          floor: figure.querySelectorAll('svg .floor').length,
          steps: figure.getAttribute('data-steps'),
        })),
      );
      // tasks in id order: halfcheetah-2x3 first, then simple_spread[n=3]
      expect(drawn).toEqual([
        ...ALGORITHMS.map((title) => ({ title, circles: 0, trails: 0, segments: 8, floor: 1, steps: '1000' })),
        ...ALGORITHMS.map((title) => ({ title, circles: 6, trails: 3, segments: 0, floor: 0, steps: '25' })),
      ]);
    });

    it('starts each episode where the environment put it: spread agents at their start positions, the torso at the root', async () => {
      const { page } = visited;
      const cells = [...readCellResults(fresh).results.values()];
      const spread = cells.find((c) => c.spec.algorithm === 'om2p' && c.spec.env === 'simple_spread')!;
      const cheetah = cells.find((c) => c.spec.algorithm === 'om2p' && c.spec.env === 'halfcheetah-2x3')!;
      // the report rolls out with its seed (0): the same rollout from the weights gives the same start state
      const start = async (cellId: string) =>
        (await rollout(rolloutRequest({ policy: weightsPath(fresh, cellId), episodes: 1, seed: 0 }))).episode.state as Record<string, unknown>;
      const spreadStart = (await start(spread.cellId)) as { agents: { p: number[] }[] };
      const cheetahStart = (await start(cheetah.cellId)) as { qpos: number[] };
      await page.$$eval('input.seek', (sliders) =>
        sliders.forEach((slider) => {
          (slider as HTMLInputElement).value = '0';
          slider.dispatchEvent(new Event('input'));
        }),
      );
      const figures = await page.$$('figure.episode[data-steps]');
      const circles = await figures[ALGORITHMS.length].$$eval('circle.agent', (all) => all.map((c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]));
      // SVG y points down: a world position (x, y) is drawn at (x, −y), to the millimetre
      expect(circles).toHaveLength(3);
      spreadStart.agents.forEach(({ p }, i) => {
        expect(circles[i][0]).toBeCloseTo(p[0], 3);
        expect(circles[i][1]).toBeCloseTo(-p[1], 3);
      });
      const torso = await figures[0].$eval('line.torso', (line) => ['x1', 'y1', 'x2', 'y2'].map((name) => Number(line.getAttribute(name))));
      // the torso capsule is centred on the root body: x = qpos[0], height 0.7 + qpos[1] (MJCF body pos + slides)
      expect((torso[0] + torso[2]) / 2).toBeCloseTo(cheetahStart.qpos[0], 2);
      expect(-(torso[1] + torso[3]) / 2).toBeCloseTo(0.7 + cheetahStart.qpos[1], 2);
      expect(await figures[0].$eval('.step', (counter) => counter.textContent)).toBe('step 0 / 1000');
    });

    it('plays, and pauses on the button', async () => {
      const { page } = visited;
      const figure = (await page.$$('figure.episode[data-steps]'))[ALGORITHMS.length];
      await figure.$eval('button.play', (button) => (button as HTMLButtonElement).click());
      expect(await figure.$eval('button.play', (button) => button.textContent)).toBe('❚❚ pause');
      await page.waitForFunction((el) => el.querySelector('.step')?.textContent !== 'step 0 / 25', {}, figure);
      await figure.$eval('button.play', (button) => (button as HTMLButtonElement).click());
      const paused = await figure.$eval('.step', (counter) => counter.textContent);
      // three steps' worth of time later (100 ms a step) a paused viewer still shows the same step
      await new Promise((done) => setTimeout(done, 300));
      expect(await figure.$eval('.step', (counter) => counter.textContent)).toBe(paused);
      expect(await figure.$eval('button.play', (button) => button.textContent)).toBe('▶ play');
    });

    it('lists the dataset cards the cells trained on and the provenance, and says where a bench-algos table would come from', async () => {
      const { page } = visited;
      expect(await page.$eval('#efficiency', (section) => section.textContent)).toContain('No bench algos table');
      const cards = await texts(page, '#dataset-cards tbody tr');
      expect(cards).toHaveLength(2);
      expect(cards.join('\n')).toMatch(/simple_spread\[n=3\]\s*expert\s*simple_spread\[n=3\]\/expert\/seed_0_data/);
      const runtime = await page.$eval('#runtimes tbody', (body) => body.textContent ?? '');
      expect(runtime).toContain('wasm');
      expect(runtime).toMatch(/[0-9a-f]{40}/);
      expect(await page.$eval('#provenance pre', (pre) => JSON.parse(pre.textContent ?? '{}').name)).toBe('fresh');
    });

    it('saves screenshots of the top of the page and of the episode viewer', async () => {
      const { page } = visited;
      // a still to look at: every viewer paused on its last step
      await page.$$eval('figure.episode[data-steps]', (all) =>
        all.forEach((figure) => {
          const slider = figure.querySelector('input.seek') as HTMLInputElement;
          slider.value = slider.max;
          slider.dispatchEvent(new Event('input'));
        }),
      );
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'report-screenshot.png'), clip: { x: 0, y: 0, width: 1280, height: 1500 } });
      await (await page.$('#episodes'))!.screenshot({ path: join(shots, 'report-episodes.png') });
      expect(existsSync(join(shots, 'report-screenshot.png')) && existsSync(join(shots, 'report-episodes.png'))).toBe(true);
    });
  });
});
