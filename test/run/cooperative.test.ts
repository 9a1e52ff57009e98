/**
 * Cooperative runners: two `matrix run` processes started together on one spec and one output folder split its cells
 * (every cell runs exactly once, by one of them), and each prints what a single runner prints, report included.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellId, expandMatrix } from '../../harness/run/expand.ts';
import { runCli, startCli } from '../helpers/cli.ts';
import { tinySpec, useTinyMatrix } from './fixtures.ts';

const matrix = useTinyMatrix('om2p-coop-');

/** The cell ids a runner says it ran (one `cell <id> <status>: …` line per cell on stderr without a progress bar). */
const ranBy = (stderr: string) => [...stderr.matchAll(/^cell ([0-9a-f]{16}) \w+: /gm)].map((m) => m[1]);

describe('two runners on one output folder', () => {
  it('run every cell exactly once between them and both print the single-runner summary and report', async () => {
    const spec = tinySpec('coop', { seeds: [0, 1, 2], updates: 20 });
    const specPath = matrix.writeSpec(spec);
    const ids = expandMatrix(spec as never).map(cellId).sort();
    const args = (out: string, workers: string) =>
      ['--data-dir', matrix.dataDir, 'matrix', 'run', specPath, '--out', out, '--workers', workers, '--no-progress', '--report'];
    const single = join(matrix.root, 'single');
    const shared = join(matrix.root, 'shared');

    const alone = await runCli(args(single, '1'));
    // One runner with a worker process, one running cells itself: both ways of running a claimed cell.
    const [a, b] = await Promise.all([startCli(args(shared, '1')).done, startCli(args(shared, '0')).done]);

    expect([alone.code, a.code, b.code]).toEqual([0, 0, 0]);
    const ran = [...ranBy(a.stderr), ...ranBy(b.stderr)].sort();
    expect(ran).toEqual(ids);
    expect(ranBy(alone.stderr).sort()).toEqual(ids);
    const expected = alone.stdout.replaceAll(single, shared);
    expect(expected).toContain('6 cell(s) run, 0 already finished, 0 failed or diverged');
    // A runner that starts late on a loaded machine finds cells already finished: its counts differ, never its total, its
    // failures or anything else it prints.
    const counts = /(\d+) cell\(s\) run, (\d+) already finished, 0 failed or diverged/;
    for (const runner of [a, b]) {
      const [, run, finished] = counts.exec(runner.stdout) ?? [];
      expect(Number(run) + Number(finished)).toBe(6);
      expect(runner.stdout.replace(counts, '6 cell(s) run, 0 already finished, 0 failed or diverged')).toBe(expected);
    }
    expect(readFileSync(join(shared, 'summary.csv'), 'utf8')).toBe(readFileSync(join(single, 'summary.csv'), 'utf8'));
    // each cell once: its result and, beside it, its trained agent
    expect(readdirSync(join(shared, 'cells')).sort()).toEqual(ids.flatMap((id) => [`${id}.json`, `${id}.safetensors`]));
    expect(readdirSync(join(shared, 'claims'))).toEqual([]);
  }, 170_000);
});
