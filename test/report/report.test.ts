/**
 * End to end: `writeReport` on the hand-made folder of fixtures.ts (one task, om2p and bc, done/diverged/failed cells).
 * Expected numbers are computed by hand from the fixture values listed there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelCells } from '../../harness/report/cells.ts';
import { writeReport, type SummaryRow } from '../../harness/report/index.ts';
import { noiseGap } from '../../harness/report/paper-tables.ts';
import { parseCsvRows, validateFile } from '../../harness/report/validate.ts';
import type { CellResult } from '../../contracts/types.ts';
import { cleanup, FIXTURE_CELLS, makeResultsDir } from './fixtures.ts';

const CSVS = ['returns', 'summary', 'aggregate', 'memory', 'throughput'];
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const csvRows = (dir: string, name: string) => parseCsvRows(read(dir, `${name}.csv`), `om2p-bench/csv/${name}`);

describe('report on a hand-made results folder', () => {
  let dir: string;
  let summary: SummaryRow[];
  let paths: string[];

  beforeAll(async () => {
    dir = makeResultsDir();
    ({ summary, paths } = await writeReport(dir, { reps: 400 }));
  }, 60_000);
  afterAll(() => cleanup(dir));

  it('writes one returns row per cell and one summary row per task × dataset × algorithm', () => {
    expect(csvRows(dir, 'returns')).toHaveLength(5);
    expect(csvRows(dir, 'summary')).toHaveLength(2);
    expect(csvRows(dir, 'memory')).toHaveLength(2);
    expect(csvRows(dir, 'throughput')).toHaveLength(2);
    // IQM row per algorithm plus one probability of improvement (om2p over bc)
    expect(csvRows(dir, 'aggregate')).toHaveLength(3);
  });

  it('summary statistics of om2p over its two finished seeds match the hand-computed values', () => {
    const om2p = summary.find((row) => row.algorithm === 'om2p')!;
    // normalised 60, 80: mean 70, sd √((10² + 10²)/1) = √200, se √200/√2 = 10; raw 400, 450: mean 425, sd √1250
    expect(om2p).toMatchObject({ n: 2, updates: 10, diverged: 0, failed: 1, normalisedMean: 70, returnMean: 425, normalisedSe: 10, normalisedIqm: 70 });
    expect(om2p.normalisedSd).toBeCloseTo(Math.sqrt(200), 12);
    expect(om2p.returnSd).toBeCloseTo(Math.sqrt(1250), 12);
    // the bootstrap mean of {60, 80} can only be 60, 70 or 80
    expect([om2p.normalisedCiLow, om2p.normalisedCiHigh]).toEqual([60, 80]);
  });

  it('a group with one finished seed has mean, CI and IQM but no sd, and counts its diverged cell', () => {
    const bc = csvRows(dir, 'summary').find((row) => row.algorithm === 'bc')!;
    expect(bc).toMatchObject({ n: 1, diverged: 1, failed: 0, normalisedMean: 30, normalisedCiLow: 30, normalisedCiHigh: 30 });
    expect(bc).not.toHaveProperty('normalisedSd');
  });

  it('returns.csv keeps the reason a cell did not finish', () => {
    const rows = csvRows(dir, 'returns');
    expect(rows.find((row) => row.status === 'diverged')).toMatchObject({ algorithm: 'bc', updates: 7, note: 'actor/loss not finite at update 7' });
    expect(rows.find((row) => row.status === 'failed')).toMatchObject({ algorithm: 'om2p', note: 'out of memory' });
  });

  it('aggregates: IQM of two values is their mean; om2p beats bc in every pair, so P = 1', () => {
    const rows = csvRows(dir, 'aggregate');
    expect(rows.find((row) => row.metric === 'iqm' && row.algorithm === 'om2p')).toMatchObject({ point: 70, tasks: 1, runs: 2 });
    expect(rows.find((row) => row.metric === 'probability-of-improvement')).toMatchObject({
      algorithm: 'om2p',
      versus: 'bc',
      point: 1,
      ciLow: 1,
      ciHigh: 1,
    });
  });

  it('efficiency: means over seeds and the ratio to om2p', () => {
    // om2p peak (1 + 3)/2 = 2 MiB, update (10 + 20)/2 = 15 ms; bc 4 MiB, 45 ms → ratios 2× and 3×
    expect(csvRows(dir, 'memory').find((row) => row.algorithm === 'om2p')).toMatchObject({ n: 2, updatePeakBytes: 2 * 2 ** 20 });
    expect(read(dir, 'tables/memory.md')).toContain('| simple_spread | **2.00** | 4.00 (2.00×) |');
    expect(read(dir, 'tables/training-time.md')).toContain('| simple_spread | **15.00** | 45.00 (3.00×) |');
  });

  it('the returns table puts the best mean in bold, in Markdown and in LaTeX', () => {
    expect(read(dir, 'tables/returns.md')).toContain('| simple_spread | expert | **70.00 ± 14.14** | 30.00 |');
    expect(read(dir, 'tables/returns.tex')).toContain('simple\\_spread & expert & \\textbf{70.00 $\\pm$ 14.14} & 30.00 \\\\');
    expect(read(dir, 'tables/returns-raw.md')).toContain('| simple_spread | expert | **425.0 ± 35.4** | 300.0 |');
  });

  it('every CSV passes the row-schema validation that `om2p-bench validate` runs', () => {
    for (const name of CSVS) expect(validateFile(join(dir, `${name}.csv`))).toEqual([]);
  });

  it('writes the learning curves and the performance profile as SVG', () => {
    for (const file of ['plots/curves-simple_spread-expert.svg', 'plots/profile.svg']) {
      expect(paths).toContain(join(dir, file));
      expect(read(dir, file)).toContain('<svg');
    }
    // one line per algorithm is labelled in the legend
    expect(read(dir, 'plots/profile.svg')).toContain('om2p');
    expect(read(dir, 'plots/profile.svg')).toContain('bc');
  });

  it('index.html holds every table and plot inline and references nothing outside itself', () => {
    const html = read(dir, 'index.html');
    expect(paths[paths.length - 1]).toBe(join(dir, 'index.html'));
    for (const id of ['returns-normalised', 'returns-raw', 'summary', 'aggregate-table', 'memory', 'training-time', 'dataset-cards', 'runtimes']) {
      expect(html).toContain(`<div class="table" id="${id}">`);
    }
    // one curve plot (one task × dataset) and the profile, as inline SVG
    expect(html.match(/<figure class="plot curves"/g)).toHaveLength(1);
    expect(html.match(/<figure class="plot profile"/g)).toHaveLength(1);
    // no element loads anything: no src, no stylesheet link, no URL but the SVG namespaces
    expect(html).not.toMatch(/\ssrc=|<link|url\(/);
    expect(html.match(/https?:\/\/[^"\s]*/g)?.every((url) => url.startsWith('http://www.w3.org/'))).toBe(true);
    // the fixture cells kept no weights: each finished task × dataset × algorithm says so
    expect(html.match(/<figure class="episode missing">/g)).toHaveLength(2);
    expect(html).toContain('No trained weights were saved with these cells');
  });

  it('the same seed reproduces the report byte for byte', async () => {
    const again = makeResultsDir();
    try {
      await writeReport(again, { reps: 400 });
      for (const name of CSVS) expect(read(again, `${name}.csv`)).toBe(read(dir, `${name}.csv`));
    } finally {
      cleanup(again);
    }
  }, 60_000);
});

describe('report edge cases', () => {
  it('without om2p there are no probability-of-improvement rows and no ratios', async () => {
    const dir = makeResultsDir(FIXTURE_CELLS.filter((cell) => cell.spec.algorithm !== 'om2p'));
    try {
      await writeReport(dir, { reps: 100 });
      expect(csvRows(dir, 'aggregate').map((row) => row.metric)).toEqual(['iqm']);
      expect(read(dir, 'tables/memory.md')).toContain('| simple_spread | **4.00** |');
    } finally {
      cleanup(dir);
    }
  }, 60_000);

  it('one algorithm run with two configs is reported as two labelled variants', async () => {
    const withEta = (cell: CellResult, eta: number): CellResult => ({ ...cell, spec: { ...cell.spec, config: { eta } } });
    const [first, second] = FIXTURE_CELLS;
    const dir = makeResultsDir([withEta(first, 0.1), withEta(second, 1)]);
    try {
      const { summary } = await writeReport(dir, { reps: 100 });
      expect(summary.map((row) => [row.algorithm, row.n])).toEqual([
        ['om2p[eta=0.1]', 1],
        ['om2p[eta=1]', 1],
      ]);
    } finally {
      cleanup(dir);
    }
  }, 60_000);

  it('η tuned per dataset is one method: one config per task × dataset keeps the plain label', () => {
    const [first, second] = FIXTURE_CELLS;
    const onDataset = (cell: CellResult, dataset: string, eta: number): CellResult => ({ ...cell, spec: { ...cell.spec, dataset, config: { eta } } });
    const tuned = labelCells([onDataset(first, 'expert', 1), onDataset(second, 'medium-replay', 0.1)]);
    expect(tuned.map((entry) => entry.algorithm)).toEqual(['om2p', 'om2p']);
    // A sweep on one dataset labels every cell of that algorithm, on every dataset, with its overrides.
    const swept = labelCells([onDataset(first, 'expert', 1), onDataset(second, 'expert', 0.1), onDataset(first, 'medium-replay', 0.1)]);
    expect(swept.map((entry) => entry.algorithm)).toEqual(['om2p[eta=1]', 'om2p[eta=0.1]', 'om2p[eta=0.1]']);
  });

  it('a folder without cell results is an error that names the folder', async () => {
    const dir = makeResultsDir([]);
    try {
      await expect(writeReport(dir)).rejects.toThrow(/no cell results/);
      expect(existsSync(join(dir, 'returns.csv'))).toBe(false);
    } finally {
      cleanup(dir);
    }
  });
});

describe('csv validation keeps string columns as strings', () => {
  it('a cell id that looks like a number in exponent notation stays a string', () => {
    const header = 'cellId,algorithm,taskId,env,dataset,seed,status,wallMs';
    const rows = parseCsvRows(`${header}\n1234e56789012345,bc,simple_spread,simple_spread,expert,0,failed,12.5\n`, 'om2p-bench/csv/returns');
    expect(rows[0].cellId).toBe('1234e56789012345');
    expect(rows[0].seed).toBe(0);
    expect(rows[0].wallMs).toBe(12.5);
  });
});

describe('report of the sampler (issue 23)', () => {
  /** The fixture's finished cells as cells that measured their sampler: om2p noise-free 90 / 95, bc deterministic. */
  function measured(): CellResult[] {
    const extra: Record<string, { free?: number[]; spread: number[] }> = {
      aaaaaaaaaaaa0001: { free: [20, 90], spread: [0.2, 0.4] },
      aaaaaaaaaaaa0002: { free: [22, 95], spread: [0.3, 0.5] },
      bbbbbbbbbbbb0001: { spread: [0, 0] },
    };
    return FIXTURE_CELLS.map((cell) => {
      const add = extra[cell.cellId];
      if (!add || cell.status !== 'done') return cell;
      const curve = cell.curve.map((point, k) => ({
        ...point,
        ...(add.free ? { noiseFree: { returnMean: 10 * add.free[k], returnSd: 1, normalised: add.free[k] } } : {}),
        actionSpread: add.spread,
      }));
      const sampler = { deterministic: !add.free, spreadDraws: 32, spreadObservations: 256, behaviourNoise: 0.1 };
      return { ...cell, sampler, curve, last: curve[curve.length - 1], best: curve[curve.length - 1] };
    });
  }

  let dir: string;
  let summary: SummaryRow[];
  beforeAll(async () => {
    dir = makeResultsDir(measured());
    ({ summary } = await writeReport(dir, { reps: 400 }));
  }, 60_000);
  afterAll(() => cleanup(dir));

  it('summary.csv: the noise-free statistics, the spread (mean over seeds and agents) and the behaviour noise; bc\'s noise-free score is its score', () => {
    const om2p = csvRows(dir, 'summary').find((row) => row.algorithm === 'om2p')!;
    // noise-free 90, 95: mean 92.5, sd √12.5; spreads (0.2 + 0.4)/2 = 0.3 and 0.4 → 0.35; stochastic stays 70 in [60, 80]
    expect(om2p).toMatchObject({ normalisedMean: 70, normalisedCiLow: 60, normalisedCiHigh: 80, noiseFreeMean: 92.5, behaviourNoise: 0.1 });
    expect(om2p.noiseFreeSd).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(om2p.actionSpread).toBeCloseTo(0.35, 12);
    expect(csvRows(dir, 'summary').find((row) => row.algorithm === 'bc')).toMatchObject({ normalisedMean: 30, noiseFreeMean: 30, actionSpread: 0 });
    const returns = csvRows(dir, 'returns');
    expect(returns.find((row) => row.cellId === 'aaaaaaaaaaaa0002')).toMatchObject({ lastNormalised: 80, lastNoiseFree: 95, lastActionSpread: 0.4 });
    for (const name of CSVS) expect(validateFile(join(dir, `${name}.csv`))).toEqual([]);
  });

  it('tables show both scores, stochastic first, and flag om2p, whose noise-free mean lies above the stochastic CI', () => {
    expect(noiseGap(summary.find((row) => row.algorithm === 'om2p')!)).toBe('above');
    expect(noiseGap(summary.find((row) => row.algorithm === 'bc')!)).toBeUndefined(); // one seed: no CI to leave
    const table = read(dir, 'tables/summary.md');
    const om2pRow = table.split('\n').find((line) => line.includes('| om2p |'))!;
    expect(om2pRow.indexOf('70.00 ± 14.14')).toBeLessThan(om2pRow.indexOf('92.50 ± 3.54'));
    expect(om2pRow).toContain('0.350 (data 0.100)');
    expect(om2pRow).toContain('noise-free above CI');
    expect(read(dir, 'tables/returns-noise-free.md')).toContain('**92.50 ± 3.54**');
    expect(read(dir, 'tables/returns-noise-free.tex')).toContain('92.50');
  });

  it('the page flags the group, the curves draw the noise-free score, a spread plot shows the behaviour noise', () => {
    const html = read(dir, 'index.html');
    expect(html).toContain('Sampler noise decides the score</strong> in 1 group(s)');
    expect(html).toContain('simple_spread / expert / om2p: stochastic 70.00, noise-free 92.50 (above the stochastic CI [60.00, 80.00])');
    expect(html).toContain('<div class="table" id="returns-noise-free">');
    expect(html.match(/<figure class="plot spread"/g)).toHaveLength(1);
    expect(read(dir, 'plots/curves-simple_spread-expert.svg')).toContain('noise-free');
    expect(read(dir, 'plots/spread-simple_spread-expert.svg')).toContain('behaviour noise 0.1');
  });

  it('cells written before the measurements have no sampler columns and the page says so', async () => {
    const old = makeResultsDir();
    try {
      await writeReport(old, { reps: 100 });
      expect(csvRows(old, 'summary').every((row) => row.noiseFreeMean === undefined && row.actionSpread === undefined)).toBe(true);
      expect(read(old, 'index.html')).toContain('did not measure a noise-free score');
      expect(existsSync(join(old, 'plots/spread-simple_spread-expert.svg'))).toBe(false);
    } finally {
      cleanup(old);
    }
  }, 60_000);
});
