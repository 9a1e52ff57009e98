/**
 * The matrix runner end to end on smoke datasets: determinism across runs, shards + merge equal one run, resume after a
 * kill without redoing finished cells, failures recorded without stopping the matrix.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellId, expandMatrix, readMatrixSpec } from '../../harness/run/expand.ts';
import { runMatrix } from '../../harness/run/matrix.ts';
import { mergeResults } from '../../harness/run/merge.ts';
import { readCellResults, weightsPath } from '../../harness/run/store.ts';
import { writeReport } from '../../harness/report/index.ts';
import { runCli, startCli } from '../helpers/cli.ts';
import { tinySpec, useTinyMatrix } from './fixtures.ts';

const matrix = useTinyMatrix('om2p-matrix-');
const { root, dataDir } = matrix;
const spec = tinySpec('tiny');
const specPath = matrix.writeSpec(spec, 'tiny.json');

const run = (out: string, extra: Partial<Parameters<typeof runMatrix>[0]> = {}) => matrix.run(extra.spec ?? specPath, out, extra);

/** Result files only: a finished cell also keeps `<id>.safetensors` beside its `<id>.json`. */
const resultFiles = (cells: string) => readdirSync(cells).filter((f) => f.endsWith('.json'));

const curves = (out: string) =>
  [...readCellResults(out).results.values()].map((r) => [r.cellId, r.status === 'done' ? r.curve.map((p) => p.returnMean) : r.status]).sort();

describe('matrix run', () => {
  it('runs every cell once and gives identical returns when run again from scratch', async () => {
    const first = await run(join(root, 'a'));
    expect(first.ran).toBe(4);
    expect(first.failed).toEqual([]);
    await run(join(root, 'b'));
    expect(curves(join(root, 'a'))).toEqual(curves(join(root, 'b')));
    expect(readCellResults(join(root, 'a')).results.size).toBe(4);
  });

  it('skips finished cells on a re-run (the files are not rewritten)', async () => {
    const out = join(root, 'a');
    const before = readdirSync(join(out, 'cells')).map((f) => statSync(join(out, 'cells', f)).mtimeMs);
    const again = await run(out);
    expect(again).toMatchObject({ ran: 0, skipped: 4 });
    expect(readdirSync(join(out, 'cells')).map((f) => statSync(join(out, 'cells', f)).mtimeMs)).toEqual(before);
  });

  it('two shards merged give the same summary.csv as one run', async () => {
    await run(join(root, 's1'), { shard: { index: 1, count: 2 } });
    await run(join(root, 's2'), { shard: { index: 2, count: 2 } });
    const sizes = [readCellResults(join(root, 's1')).results.size, readCellResults(join(root, 's2')).results.size];
    expect(sizes[0] + sizes[1]).toBe(4);
    expect(sizes).not.toContain(0);
    const { missing } = mergeResults([join(root, 's1'), join(root, 's2'), join(root, 'b')], join(root, 'merged'));
    expect(missing).toEqual({ total: 4, missing: [] });
    await writeReport(join(root, 'a'));
    await writeReport(join(root, 'merged'));
    expect(readFileSync(join(root, 'merged', 'summary.csv'), 'utf8')).toBe(readFileSync(join(root, 'a', 'summary.csv'), 'utf8'));
    // every cell's trained agent comes along, byte for byte as its shard kept it
    for (const id of readCellResults(join(root, 'merged')).results.keys()) {
      const shard = [join(root, 's1'), join(root, 's2')].find((dir) => existsSync(weightsPath(dir, id)))!;
      expect(readFileSync(weightsPath(join(root, 'merged'), id)).equals(readFileSync(weightsPath(shard, id)))).toBe(true);
    }
  });

  it('merge and report name the cells of a missing shard; --strict exits 1; a merge input that is not a results folder is an error', async () => {
    const shard2 = [...readCellResults(join(root, 's2')).results.values()];
    const out = join(root, 'only-s1');
    const merged = await runCli(['matrix', 'merge', join(root, 's1'), '--out', out, '--strict']);
    expect(merged.code).toBe(1);
    expect(merged.stderr).toContain(`error: ${shard2.length} of 4 cells missing in ${out} (its matrix.json lists them):\n`);
    for (const cell of shard2) expect(merged.stderr).toContain(`  ${cell.cellId} ${cell.spec.algorithm} simple_spread expert seed ${cell.spec.seed}\n`);
    const report = await runCli(['--data-dir', dataDir, 'report', out, '--reps', '20', '--strict']);
    expect(report.code).toBe(1);
    expect(report.stderr).toContain(`error: ${shard2.length} of 4 cells missing in ${out}`);

    const plain = join(root, 'plain.txt');
    writeFileSync(plain, 'not results');
    const bad = await runCli(['matrix', 'merge', plain, join(root, 's1'), '--out', join(root, 'm-plain')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${plain}: not a results folder`);
    const other = join(root, 'other');
    await run(other, { spec: matrix.writeSpec(tinySpec('other', { seeds: [5] }), 'other.json'), shard: { index: 1, count: 2 } });
    expect(() => mergeResults([join(root, 's1'), other], join(root, 'm-other'))).toThrow(/are different matrices/);
  });

  it('merge refuses a cell that has different results in two folders, naming it', async () => {
    const conflict = join(root, 'conflict');
    await run(conflict);
    const file = resultFiles(join(conflict, 'cells'))[0];
    const result = JSON.parse(readFileSync(join(conflict, 'cells', file), 'utf8'));
    result.curve[0].returnMean += 1;
    result.last = result.curve[result.curve.length - 1];
    writeFileSync(join(conflict, 'cells', file), JSON.stringify(result));
    expect(() => mergeResults([join(root, 'a'), conflict], join(root, 'm2'))).toThrow(new RegExp(`cell ${result.cellId}.*different results`));
  });

  it('records a failing cell (unknown config key) and still runs the others', async () => {
    const badSpec = join(root, 'bad.json');
    writeFileSync(badSpec, JSON.stringify({ ...spec, name: 'bad', algorithms: [{ name: 'bc', config: { ...spec.algorithms[0].config, etaa: 1 } }, spec.algorithms[0]] }));
    const summary = await run(join(root, 'bad'), { spec: badSpec });
    expect(summary.failed).toHaveLength(2);
    expect(summary.failed[0].reason).toMatch(/etaa: unknown key/);
    const statuses = [...readCellResults(join(root, 'bad')).results.values()].map((r) => r.status).sort();
    expect(statuses).toEqual(['done', 'done', 'failed', 'failed']);
  });

  it('a run killed mid-way resumes without redoing finished cells', async () => {
    const out = join(root, 'killed');
    const cells = join(out, 'cells');
    const { child } = startCli(['--data-dir', dataDir, 'matrix', 'run', specPath, '--workers', '1', '--out', out, '--no-progress']);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(cells) && resultFiles(cells).length > 0) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 50);
    });
    await new Promise((resolve) => child.on('exit', resolve));
    const finished = resultFiles(cells);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.length).toBeLessThan(4);
    const mtimes = finished.map((f) => statSync(join(cells, f)).mtimeMs);
    const resumed = await run(out);
    expect(resumed.skipped).toBe(finished.length);
    expect(resumed.ran).toBe(4 - finished.length);
    expect(finished.map((f) => statSync(join(cells, f)).mtimeMs)).toEqual(mtimes);
    const ids = expandMatrix(readMatrixSpec(specPath)).map(cellId).sort();
    expect([...readCellResults(out).results.keys()].sort()).toEqual(ids);
  }, 120_000);
});
