/**
 * `matrix run` without `--out` reads and writes the git-ignored run folder `runs/<matrix name>/`, never `results/`, where the
 * committed reference outputs live. The run folder is seeded with the matrix's one cell, already finished (a report
 * fixture under the cell's own id), so the command resumes there and trains nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli.ts';
import { cellId, expandMatrix, readMatrixSpec } from '../../harness/run/expand.ts';
import { writeCellResult } from '../../harness/run/store.ts';
import { FIXTURE_CELLS } from '../report/fixtures.ts';

const PACKAGE_ROOT = join(import.meta.dirname, '../..');
const name = `default-out-test-${process.pid}`;
const runFolder = join(PACKAGE_ROOT, 'runs', name);
const scratch = mkdtempSync(join(tmpdir(), 'om2p-matrix-command-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(runFolder, { recursive: true, force: true });
});

describe('matrix run output folder', () => {
  it('defaults to runs/<matrix name>/ under the package, which git ignores', async () => {
    const specPath = join(scratch, 'spec.json');
    writeFileSync(
      specPath,
      JSON.stringify({
        name,
        algorithms: [{ name: 'om2p' }],
        environments: [{ name: 'simple_spread' }],
        datasets: ['expert'],
        seeds: [0],
        budget: { updates: 10, evalEvery: 9, episodes: 4 },
      }),
    );
    const [spec] = expandMatrix(readMatrixSpec(specPath));
    writeCellResult(runFolder, { ...FIXTURE_CELLS[0], cellId: cellId(spec), spec });
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['node', 'om2p-bench', '--backend', 'cpu', 'matrix', 'run', specPath, '--workers', '0', '--no-progress']);
    vi.restoreAllMocks();

    expect(code).toBe(0);
    expect(printed.join('')).toContain(`0 cell(s) run, 1 already finished, 0 failed or diverged → ${runFolder}`);
    expect(existsSync(join(runFolder, 'matrix.json'))).toBe(true);
    expect(existsSync(join(PACKAGE_ROOT, 'results', name))).toBe(false);
    expect(readFileSync(join(PACKAGE_ROOT, '.gitignore'), 'utf8').split('\n')).toContain('/runs/');
  });
});
