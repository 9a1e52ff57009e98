/**
 * `report --compare`: a run against a reference, both hand-made from the report fixtures (fixtures.ts): om2p with
 * normalised last scores 60 and 80 plus a failed seed, bc with 30 plus a diverged seed. The reference's 95 % bootstrap CI of
 * om2p's mean is [60, 80] (a resampled mean of {60, 80} can only be 60, 70 or 80, each end with probability 1/4) and bc's
 * is [30, 30] (one seed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerReport } from '../../harness/commands/report.ts';
import { writeComparison, type ComparisonRow } from '../../harness/report/compare.ts';
import type { CellResult, EvalPoint } from '../../contracts/types.ts';
import { parseCsvRows, validateFile } from '../../harness/report/validate.ts';
import { cleanup, FIXTURE_CELLS, makeResultsDir } from './fixtures.ts';

const made: string[] = [];
const folder = (cells: readonly CellResult[]) => {
  const dir = makeResultsDir(cells);
  made.push(dir);
  return dir;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of made.splice(0)) cleanup(dir);
});

/** Compares `run` against the fixture cells; returns the rows by algorithm and the verdict line. */
function compare(run: readonly CellResult[], reference: readonly CellResult[] = FIXTURE_CELLS) {
  const result = writeComparison(folder(run), folder(reference));
  const rows = new Map<string, ComparisonRow>(result.rows.map((row) => [`${row.dataset}/${row.algorithm}`, row]));
  return { result, rows, om2p: rows.get('expert/om2p'), bc: rows.get('expert/bc') };
}

/** A copy of a finished fixture cell whose last evaluation scores `normalised`. */
function withLastScore(cell: CellResult, normalised: number): CellResult {
  if (cell.status !== 'done') throw new Error('fixture cell is not done');
  const last: EvalPoint = { ...cell.last, normalised };
  return { ...cell, curve: [...cell.curve.slice(0, -1), last], last, best: last };
}

const [om2p0, om2p1, om2pFailed, bc0, bcDiverged] = FIXTURE_CELLS;

describe('report --compare', () => {
  it('an identical run is bit-identical in every group, whatever its wall times and throughput', () => {
    const retimed = FIXTURE_CELLS.map((cell) =>
      cell.status === 'done' ? { ...cell, wallMs: 99_999, efficiency: { ...cell.efficiency, updateMsMedian: 1234, updatesPerSecond: 0.8 } } : cell,
    );
    const { result, om2p, bc } = compare(retimed);
    expect(om2p).toMatchObject({ verdict: 'bit-identical', runCells: 3, referenceCells: 3, identicalCells: 3, runN: 2, referenceN: 2 });
    expect(bc).toMatchObject({ verdict: 'bit-identical', runCells: 2, referenceCells: 2, identicalCells: 2, runN: 1, referenceN: 1 });
    expect(result.verdict).toBe('reproduced 2/2 groups, 5/5 cells bit-identical');
  });

  it('a run that measured its sampler is bit-identical to a reference written before cells did; with the measurements on both sides they count', () => {
    /** A cell as a run with the sampler measurements writes it: noise-free scores `free` and spreads on every point. */
    const measured = (cell: CellResult, free: number): CellResult => {
      if (cell.status === 'failed') return cell;
      const curve = cell.curve.map((point) => ({ ...point, noiseFree: { returnMean: free, returnSd: 0, normalised: free }, actionSpread: [0.2, 0.3] }));
      const sampler = { deterministic: false, spreadDraws: 32, spreadObservations: 256, behaviourNoise: 0.1 };
      return cell.status === 'done' ? { ...cell, sampler, curve, last: curve[curve.length - 1], best: curve[curve.length - 1] } : { ...cell, sampler, curve };
    };
    const run = FIXTURE_CELLS.map((cell) => measured(cell, 50));
    expect(compare(run).result.verdict).toBe('reproduced 2/2 groups, 5/5 cells bit-identical');
    expect(compare(run, run).result.verdict).toBe('reproduced 2/2 groups, 5/5 cells bit-identical');
    // a different noise-free score on a reference that has them: 4 of 5 cells differ (the failed one has no curve)
    expect(compare(FIXTURE_CELLS.map((cell) => measured(cell, 51)), run).result.verdict).toBe('reproduced 2/2 groups, 1/5 cells bit-identical');
    // and a run without them does not reproduce a reference with them bit for bit
    expect(compare(FIXTURE_CELLS, run).result.verdict).toBe('reproduced 2/2 groups, 1/5 cells bit-identical');
  });

  it('a perturbed final score is not bit-identical but inside the reference CI', () => {
    // om2p seed 0 ends at 64 instead of 60: run mean (64 + 80) / 2 = 72, inside [60, 80]
    const { result, om2p } = compare([withLastScore(om2p0, 64), om2p1, om2pFailed, bc0, bcDiverged]);
    expect(om2p).toMatchObject({ verdict: 'within-ci', identicalCells: 2, runMean: 72, referenceMean: 70, referenceCiLow: 60, referenceCiHigh: 80 });
    expect(result.verdict).toBe('reproduced 2/2 groups, 4/5 cells bit-identical');
  });

  it('the same cells on another backend are compared by CI, not as bit-identical', () => {
    const onWasm = FIXTURE_CELLS.map((cell) => ({ ...cell, runtime: { ...cell.runtime, backend: 'wasm' } }));
    const { result, om2p, bc } = compare(onWasm);
    expect(om2p).toMatchObject({ verdict: 'within-ci', identicalCells: 0, runMean: 70 });
    expect(bc).toMatchObject({ verdict: 'within-ci', identicalCells: 0, runMean: 30 });
    expect(result.verdict).toBe('reproduced 2/2 groups, 0/5 cells bit-identical');
  });

  it('a far-off mean is not reproduced', () => {
    // 90 and 95: mean 92.5, above the reference CI [60, 80]
    const { result, om2p } = compare([withLastScore(om2p0, 90), withLastScore(om2p1, 95), om2pFailed, bc0, bcDiverged]);
    expect(om2p).toMatchObject({ verdict: 'outside-ci', identicalCells: 1, runMean: 92.5 });
    expect(result.verdict).toBe('reproduced 1/2 groups, 3/5 cells bit-identical');
  });

  it('a group where one side finished no cell has no scores to compare', () => {
    const { om2p } = compare([om2pFailed, bc0, bcDiverged]);
    expect(om2p).toMatchObject({ verdict: 'no-scores', runCells: 1, identicalCells: 1, runN: 0, referenceN: 2 });
    expect(om2p?.runMean).toBeUndefined();
  });

  it('lists groups present on one side only as missing', () => {
    const onMedium = { ...om2p0, cellId: 'cccccccccccc0001', spec: { ...om2p0.spec, dataset: 'medium' } } as CellResult;
    const { result, rows } = compare([om2p0, om2p1, om2pFailed, onMedium]);
    expect(rows.get('expert/bc')).toMatchObject({ verdict: 'missing-in-run', runCells: 0, referenceCells: 2, identicalCells: 0 });
    expect(rows.get('medium/om2p')).toMatchObject({ verdict: 'missing-in-reference', runCells: 1, referenceCells: 0, runMean: 60 });
    expect([...rows.keys()]).toEqual(['expert/om2p', 'expert/bc', 'medium/om2p']);
    expect(result.verdict).toBe('reproduced 1/2 groups, 3/5 cells bit-identical; 1 group(s) missing in the run; 1 group(s) missing in the reference');
  });

  it('writes comparison.csv into the run folder; it passes `validate` and reads back', () => {
    const run = folder([withLastScore(om2p0, 90), withLastScore(om2p1, 95), om2pFailed]);
    const { path } = writeComparison(run, folder(FIXTURE_CELLS));
    expect(path).toBe(join(run, 'comparison.csv'));
    expect(validateFile(path)).toEqual([]);
    const rows = parseCsvRows(readFileSync(path, 'utf8'), 'om2p-bench/csv/comparison');
    expect(rows.map((row) => [row.algorithm, row.verdict])).toEqual([
      ['om2p', 'outside-ci'],
      ['bc', 'missing-in-run'],
    ]);
    expect(rows[0]).toMatchObject({ runMean: 92.5, referenceCiLow: 60, referenceCiHigh: 80, runCells: 3 });
  });

  it('a reference folder without cell results is an error naming it', () => {
    const empty = folder([]);
    expect(() => writeComparison(folder(FIXTURE_CELLS), empty)).toThrow(`${join(empty, 'cells')}: no cell results`);
  });

  it('the report command prints the table and ends with the verdict line', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0);
    const program = new Command('om2p-bench').exitOverride();
    registerReport(program);
    await program.parseAsync(['node', 'om2p-bench', 'report', folder(FIXTURE_CELLS), '--reps', '100', '--compare', folder(FIXTURE_CELLS)]);
    const output = printed.join('');
    expect(output).toContain('| simple_spread | expert | om2p | bit-identical | 3 / 3 | 3 | 70.00 | 70.00 | [60.00, 80.00] |');
    expect(output.trimEnd().split('\n').at(-1)).toBe('reproduced 2/2 groups, 5/5 cells bit-identical');
  }, 60_000);
});
