/**
 * Fault injection on `matrix run`: a worker killed with SIGKILL mid-cell, a writer killed mid-write (what it leaves
 * behind), a full disk when one result is written, a dataset file truncated by one byte. Each asserts what the user
 * is told (the message names the file or process) and that no finished cell is lost or redone.
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellId, expandMatrix } from '../../harness/run/expand.ts';
import { readCellResults, weightsPath } from '../../harness/run/store.ts';
import type { CellSpec } from '../../contracts/types.ts';
import { startCli } from '../helpers/cli.ts';
import { tinySpec, useTinyMatrix } from './fixtures.ts';

const matrix = useTinyMatrix('om2p-faults-');

const idsOf = (spec: object) => expandMatrix(spec as never).map(cellId);
const specsOf = (spec: object) => expandMatrix(spec as never);
const mtimes = (files: string[]) => files.map((f) => statSync(f).mtimeMs);
const cellFile = (out: string, id: string) => join(out, 'cells', `${id}.json`);
/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('faults during matrix run', () => {
  it('a worker killed with SIGKILL mid-cell: that cell is recorded failed naming the process, the others go on, a re-run redoes only it', async () => {
    const spec = tinySpec('kill', { updates: 200 });
    const specPath = matrix.writeSpec(spec, 'kill.json');
    const out = join(matrix.root, 'kill');
    const claims = join(out, 'claims');
    const runner = startCli(['--data-dir', matrix.dataDir, 'matrix', 'run', specPath, '--out', out, '--workers', '1', '--no-progress']);
    // The first cell claim names the worker process running that cell; kill it while the cell runs.
    const claim = await new Promise<{ id: string; pid: number }>((resolve) => {
      const poll = setInterval(() => {
        const name = existsSync(claims) ? readdirSync(claims).find((n) => /^[0-9a-f]{16}\.\d+\.claim$/.test(n)) : undefined;
        if (!name) return;
        clearInterval(poll);
        resolve({ id: name.slice(0, 16), pid: JSON.parse(readFileSync(join(claims, name), 'utf8')).pid });
      }, 10);
    });
    process.kill(claim.pid, 'SIGKILL');
    const { code, stdout } = await runner.done;

    const reason = `worker process ${claim.pid} was killed by SIGKILL while running this cell`;
    expect(code).toBe(1);
    expect(stdout).toContain('4 cell(s) run, 0 already finished, 1 failed or diverged');
    expect(stdout).toContain(`  ${claim.id} `);
    expect(stdout).toContain(`: failed: ${reason}`);
    const results = readCellResults(out).results;
    expect([...results.values()].map((r) => [r.cellId, r.status]).sort()).toEqual(idsOf(spec).map((id) => [id, id === claim.id ? 'failed' : 'done']).sort());
    expect(results.get(claim.id)).toMatchObject({ status: 'failed', error: reason });

    const others = idsOf(spec).filter((id) => id !== claim.id).map((id) => cellFile(out, id));
    const before = mtimes(others);
    const resumed = await matrix.run(specPath, out);
    expect(resumed).toMatchObject({ ran: 1, skipped: 3, failed: [] });
    expect(mtimes(others)).toEqual(before);
  }, 120_000);

  it('a writer killed mid-write: its partial temporary file is ignored and removed, its claim taken over, the cell run once', async () => {
    const spec = tinySpec('torn');
    const specPath = matrix.writeSpec(spec, 'torn.json');
    const out = join(matrix.root, 'torn');
    await matrix.run(specPath, out);
    // What SIGKILL during the write of cell `id` leaves: no result file, a partial temporary one, the claim of the dead writer.
    const [id, ...rest] = idsOf(spec);
    const full = readFileSync(cellFile(out, id), 'utf8');
    const gone = deadPid();
    const temp = `${cellFile(out, id)}~${hostname()}~${gone}.tmp`;
    rmSync(cellFile(out, id));
    writeFileSync(temp, full.slice(0, 100));
    // the trained agent is written the same way (before the result): a partial weights file of that writer goes too
    const weightsTemp = `${weightsPath(out, id)}~${hostname()}~${gone}.tmp`;
    writeFileSync(weightsTemp, '{"cellId": "');
    writeFileSync(join(out, 'claims', `${id}.0.claim`), JSON.stringify({ host: hostname(), pid: gone, startedAt: new Date().toISOString() }));
    expect(readCellResults(out)).toEqual({ results: expect.any(Map), corrupt: [] });
    expect(readCellResults(out).results.has(id)).toBe(false);
    const before = mtimes(rest.map((r) => cellFile(out, r)));
    const lines: string[] = [];

    const resumed = await matrix.run(specPath, out, { log: (line) => lines.push(line) });

    expect(resumed).toMatchObject({ ran: 1, skipped: 3, failed: [], corrupt: [] });
    expect(lines).toContain(`removed ${temp}: left by a writer killed mid-write`);
    expect(lines).toContain(`claim ${id}: taken over from pid ${gone} on ${hostname()} (that process has ended)`);
    // only that cell ran: its evaluation points (updates 1, 2 and 4 of 4), then its end, then the progress line
    const cellLines = lines.filter((l) => l.startsWith('cell '));
    expect(cellLines.map((l) => l.replace(/, return .*$/, ''))).toEqual([
      ...[1, 2, 4].map((u) => `cell ${id} bc simple_spread expert seed 0: update ${u}/4`),
      expect.stringMatching(new RegExp(`^cell ${id} done: `)),
    ]);
    expect(lines).toContain('matrix: 1 of 1 cells done');
    expect(existsSync(temp)).toBe(false);
    expect(lines).toContain(`removed ${weightsTemp}: left by a writer killed mid-write`);
    expect(existsSync(weightsTemp)).toBe(false);
    expect(existsSync(weightsPath(out, id))).toBe(true);
    expect(mtimes(rest.map((r) => cellFile(out, r)))).toEqual(before);
    expect(readdirSync(join(out, 'claims'))).toEqual([]);
  }, 120_000);

  it.skipIf(!existsSync('/dev/full'))('a full disk when one result is written: that cell is failed naming the path, the others go on', async () => {
    const out = join(matrix.root, 'full');
    await matrix.run(matrix.writeSpec(tinySpec('full', { seeds: [0] }), 'full-1.json'), out);
    const finished = idsOf(tinySpec('full', { seeds: [0] })).map((id) => cellFile(out, id));
    const before = mtimes(finished);
    const bigger = tinySpec('full', { seeds: [0, 1] });
    const [victim] = specsOf(bigger).filter((c: CellSpec) => c.seed === 1).map(cellId);
    // Root ignores file permissions, so chmod cannot fill a disk here; /dev/full fails every write with ENOSPC, for root
    // too. The result is written through `<file>~<host>~<pid>.tmp` (this process runs the cells), so that name leads there.
    symlinkSync('/dev/full', `${cellFile(out, victim)}~${hostname()}~${process.pid}.tmp`);

    const summary = await matrix.run(matrix.writeSpec(bigger, 'full-2.json'), out);

    expect(summary).toMatchObject({ ran: 2, skipped: 2 });
    expect(summary.failed).toEqual([
      { cellId: victim, algorithm: 'bc', reason: `failed: cannot write ${cellFile(out, victim)}: ENOSPC: no space left on device, write` },
    ]);
    const results = readCellResults(out).results;
    expect(results.has(victim)).toBe(false);
    expect(idsOf(bigger).filter((id) => id !== victim).map((id) => results.get(id)?.status)).toEqual(['done', 'done', 'done']);
    expect(mtimes(finished)).toEqual(before);
    expect(readdirSync(join(out, 'cells')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('a dataset file truncated by one byte: the cells on it fail naming the file, the finished cells stay', async () => {
    const dataDir = join(matrix.root, 'data-truncated');
    cpSync(matrix.dataDir, dataDir, { recursive: true });
    const out = join(matrix.root, 'truncated');
    const run = (spec: object, file: string) => matrix.run(matrix.writeSpec(spec, file), out, { dataDir });
    await run(tinySpec('trunc', { seeds: [0] }), 'trunc-1.json');
    const finished = idsOf(tinySpec('trunc', { seeds: [0] })).map((id) => cellFile(out, id));
    const before = mtimes(finished);
    const file = join(dataDir, 'simple_spread[n=3]', 'random', 'seed_0_data', 'obs_1.npy');
    const size = statSync(file).size;
    truncateSync(file, size - 1);

    const summary = await run(tinySpec('trunc', { seeds: [0], datasets: ['expert', 'random'] }), 'trunc-2.json');

    const reason = `failed: ${file}: has ${size - 1} bytes but card.json records ${size}: truncated since the card was written`;
    expect(summary).toMatchObject({ ran: 2, skipped: 2 });
    expect(summary.failed.map((f) => [f.algorithm, f.reason])).toEqual([['bc', reason], ['om2p', reason]]);
    expect(mtimes(finished)).toEqual(before);
  }, 120_000);
});
