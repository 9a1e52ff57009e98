/**
 * A cell file that does not parse or validate never stops a run and never hides: it is named, moved aside (never
 * deleted, never overwriting an earlier one), left out of report and merge with a warning (exit 1 under --strict), and
 * re-run by `matrix run` without touching the finished cells.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cellId, expandMatrix } from '../../harness/run/expand.ts';
import { readCellResults } from '../../harness/run/store.ts';
import { cleanup, FIXTURE_CELLS, makeResultsDir } from '../report/fixtures.ts';
import { runCli } from '../helpers/cli.ts';
import { tinySpec, useTinyMatrix } from './fixtures.ts';

const matrix = useTinyMatrix('om2p-corrupt-');
const made: string[] = [];
afterEach(() => made.splice(0).forEach(cleanup));

/** The report fixture folder with one cell file replaced by `text`; returns the folder and that file's path. */
function fixtureWithCorruptCell(id: string, text: string): { dir: string; file: string } {
  const dir = makeResultsDir();
  made.push(dir);
  const file = join(dir, 'cells', `${id}.json`);
  writeFileSync(file, text);
  return { dir, file };
}

/** The first `bytes` characters of a cell file: what a copy cut short leaves. */
const truncated = (id: string, bytes = 40) => JSON.stringify(FIXTURE_CELLS.find((c) => c.cellId === id)).slice(0, bytes);

describe('reading a results folder with corrupt cell files', () => {
  it('names each bad file with its reason, moves it aside and keeps the others', () => {
    const { dir, file } = fixtureWithCorruptCell('aaaaaaaaaaaa0002', truncated('aaaaaaaaaaaa0002'));
    const invalid = join(dir, 'cells', 'bbbbbbbbbbbb0001.json');
    writeFileSync(invalid, JSON.stringify({ ...FIXTURE_CELLS[3], status: 'finished' }));
    const { results, corrupt } = readCellResults(dir);
    expect([...results.keys()].sort()).toEqual(['aaaaaaaaaaaa0001', 'aaaaaaaaaaaa0003', 'bbbbbbbbbbbb0002']);
    expect(corrupt).toEqual([
      { path: file, reason: expect.stringMatching(/^not valid JSON: /), movedTo: `${file}.corrupt` },
      { path: invalid, reason: expect.stringMatching(/^not a valid cell result: \/status: must be one of/), movedTo: `${invalid}.corrupt` },
    ]);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.corrupt`, 'utf8')).toBe(truncated('aaaaaaaaaaaa0002'));
  });

  it('never overwrites an earlier corrupt copy: the next one gets a numeric suffix', () => {
    const { dir, file } = fixtureWithCorruptCell('aaaaaaaaaaaa0001', 'first bad copy');
    readCellResults(dir);
    writeFileSync(file, 'second bad copy');
    const { corrupt } = readCellResults(dir);
    expect(corrupt.map((c) => c.movedTo)).toEqual([`${file}.corrupt.1`]);
    expect(readFileSync(`${file}.corrupt`, 'utf8')).toBe('first bad copy');
    expect(readFileSync(`${file}.corrupt.1`, 'utf8')).toBe('second bad copy');
  });

  it('report leaves the cell out with a warning naming the file; --strict exits 1', async () => {
    const { dir, file } = fixtureWithCorruptCell('aaaaaaaaaaaa0002', truncated('aaaaaaaaaaaa0002'));
    const lenient = await runCli(['report', dir, '--reps', '20']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain(`warning: ${file}: not valid JSON: `);
    expect(lenient.stderr).toContain(`moved to ${file}.corrupt, its cell is left out`);
    const listed = readFileSync(join(dir, 'returns.csv'), 'utf8');
    for (const cell of FIXTURE_CELLS) expect(listed.includes(cell.cellId)).toBe(cell.cellId !== 'aaaaaaaaaaaa0002');

    writeFileSync(file, JSON.stringify({ ...FIXTURE_CELLS[1], wallMs: -5 }));
    const strict = await runCli(['report', dir, '--reps', '20', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`warning: ${file}: not a valid cell result: /wallMs: must be >= 0; moved to ${file}.corrupt.1`);
    expect(strict.stderr).toContain('--strict: 1 corrupt cell file(s) left out');
  });

  it('merge leaves the cell out with a warning naming the file and keeps it from a folder where it is valid; --strict exits 1', async () => {
    const { dir: shard1, file } = fixtureWithCorruptCell('bbbbbbbbbbbb0001', truncated('bbbbbbbbbbbb0001'));
    const shard2 = makeResultsDir(FIXTURE_CELLS.slice(0, 2));
    const out = `${shard2}-merged`;
    made.push(shard2, out);
    const merged = await runCli(['matrix', 'merge', shard1, shard2, '--out', out, '--strict']);
    expect(merged.code).toBe(1);
    expect(merged.stderr).toContain(`warning: ${file}: not valid JSON: `);
    expect(merged.stdout).toContain('merged 4 cell(s) (2 identical duplicate(s))');
    expect(readdirSync(join(out, 'cells')).sort()).toEqual(
      ['aaaaaaaaaaaa0001', 'aaaaaaaaaaaa0002', 'aaaaaaaaaaaa0003', 'bbbbbbbbbbbb0002'].map((id) => `${id}.json`),
    );
  });
});

describe('matrix run on a folder with a corrupt cell file', () => {
  it('re-runs only that cell, names the file, and leaves the finished cells untouched', async () => {
    const spec = matrix.writeSpec(tinySpec('corrupt'));
    const out = join(matrix.root, 'out');
    expect((await matrix.run(spec, out)).ran).toBe(4);
    const ids = expandMatrix(tinySpec('corrupt') as never).map(cellId);
    const cells = join(out, 'cells');
    const bad = join(cells, `${ids[1]}.json`);
    writeFileSync(bad, readFileSync(bad, 'utf8').slice(0, 26));
    const others = ids.filter((_, k) => k !== 1).map((id) => join(cells, `${id}.json`));
    const before = others.map((f) => statSync(f).mtimeMs);
    const lines: string[] = [];

    const resumed = await matrix.run(spec, out, { log: (line) => lines.push(line) });

    expect(resumed).toMatchObject({ ran: 1, skipped: 3, failed: [] });
    expect(resumed.corrupt.map((c) => c.path)).toEqual([bad]);
    expect(lines).toContain(`warning: ${bad}: ${resumed.corrupt[0].reason}; moved to ${bad}.corrupt, its cell will be run again`);
    expect(lines.some((l) => l.startsWith(`cell ${ids[1]} done:`))).toBe(true);
    expect(readFileSync(`${bad}.corrupt`, 'utf8')).toHaveLength(26);
    expect(readCellResults(out).results.get(ids[1])?.status).toBe('done');
    expect(others.map((f) => statSync(f).mtimeMs)).toEqual(before);
  });
});
