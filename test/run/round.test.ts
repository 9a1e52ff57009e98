/**
 * A round whose runner lost a cell's claim (`requeue`): it waits for the new owner's claim to be released and then
 * counts the cell as handled elsewhere, with the new owner's result; it never hands the cell out again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cellId } from '../../harness/run/expand.ts';
import { Round } from '../../harness/run/round.ts';
import { writeCellResult } from '../../harness/run/store.ts';
import type { CellSpec } from '../../contracts/types.ts';
import { FIXTURE_CELLS } from '../report/fixtures.ts';

let out = '';
afterEach(() => rmSync(out, { recursive: true, force: true }));

const spec: CellSpec = {
  algorithm: 'bc', config: {}, preset: 'cpu', env: 'simple_spread', envOptions: {}, dataset: 'expert', datasetPreset: 'smoke', seed: 0,
  budget: { updates: 2, evalEvery: 1, episodes: 1 },
};

describe('round', () => {
  it('a requeued cell (claim taken over) is waited for and ends as the new owner left it', async () => {
    out = mkdtempSync(join(tmpdir(), 'om2p-round-'));
    const claims = join(out, 'claims');
    const elsewhere: CellSpec[] = [];
    const lines: string[] = [];
    const round = new Round([spec], new Map(), { out, claims, staleAfterMs: 5 * 60_000, pollMs: 20, log: (l) => lines.push(l), onHandledElsewhere: (s) => elsewhere.push(s) });
    const job = await round.next(process.pid);
    expect(job?.spec).toBe(spec);
    // another host took the claim over (generation 1, fresh) while this runner looked dead
    mkdirSync(claims, { recursive: true });
    const theirs = join(claims, `${cellId(spec)}.1.claim`);
    writeFileSync(theirs, JSON.stringify({ host: 'elsewhere.example', pid: 7, startedAt: new Date().toISOString() }));
    rmSync(job!.claim);
    round.requeue(spec);
    const next = round.next(process.pid);
    // the new owner finishes: result written, claim released
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(elsewhere).toEqual([]);
    writeCellResult(out, { ...FIXTURE_CELLS[0], cellId: cellId(spec), spec });
    rmSync(theirs);
    expect(await next).toBeUndefined();
    expect(elsewhere).toEqual([spec]);
    expect(lines).toEqual(['waiting for 1 cell(s) claimed by other runners (pid 7 on elsewhere.example)']);
    expect(round.unfinished()).toEqual([]);
  });
});
