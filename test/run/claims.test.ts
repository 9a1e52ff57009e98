/**
 * Claims (`harness/run/claims.ts`): exclusive, held while their owner lives, taken over (and logged) when it is gone —
 * a dead pid on this host, no heartbeat for the stale time on another — and won by exactly one of several processes
 * racing; a holder whose claim was taken over learns it at its next heartbeat and writes nothing over the new owner's result.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../harness/backend.ts';
import { claimHeld, claimStaleMs, heartbeat, releaseClaim, tryClaim } from '../../harness/claims.ts';
import { runClaimedCell } from '../../harness/run/cell-job.ts';
import { cellId } from '../../harness/run/expand.ts';
import type { CellSpec } from '../../contracts/types.ts';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));
const fresh = () => (root = mkdtempSync(join(tmpdir(), 'om2p-claims-')));
const HOUR = 3_600_000;

/** The pid of a process that has ended (a child that exited at once). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

/** A claim file as another runner would have written it, last refreshed `refreshedAgoMs` ago (default: now). */
function writeClaim(dir: string, key: string, generation: number, claim: { host: string; pid: number; startedAt: string }, refreshedAgoMs = 0): string {
  const path = join(dir, `${key}.${generation}.claim`);
  writeFileSync(path, JSON.stringify(claim));
  const refreshed = new Date(Date.now() - refreshedAgoMs);
  utimesSync(path, refreshed, refreshed);
  return path;
}

describe('claims', () => {
  it('are exclusive: while the owner lives, another claimant is told who holds it; once released it can be claimed', () => {
    const dir = fresh();
    const options = { staleAfterMs: HOUR, log: () => undefined };
    const first = tryClaim(dir, 'cell-a', process.pid, options);
    expect(first.claimed).toBe(true);
    const claimFile = JSON.parse(readFileSync(join(dir, 'cell-a.0.claim'), 'utf8'));
    expect(claimFile).toEqual({ host: hostname(), pid: process.pid, startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(tryClaim(dir, 'cell-a', 12345, options)).toEqual({ claimed: false, holder: claimFile });
    releaseClaim((first as { path: string }).path);
    expect(tryClaim(dir, 'cell-a', process.pid, options).claimed).toBe(true);
  });

  it('take over a claim whose process on this host has ended, and say so', () => {
    const dir = fresh();
    const gone = deadPid();
    writeClaim(dir, 'cell-b', 0, { host: hostname(), pid: gone, startedAt: new Date().toISOString() });
    const lines: string[] = [];
    const attempt = tryClaim(dir, 'cell-b', process.pid, { staleAfterMs: HOUR, log: (l) => lines.push(l) });
    expect(attempt).toEqual({ claimed: true, path: join(dir, 'cell-b.1.claim') });
    expect(lines).toEqual([`claim cell-b: taken over from pid ${gone} on ${hostname()} (that process has ended)`]);
    expect(readdirSync(dir)).toEqual(['cell-b.1.claim']);
  });

  it("take over another host's claim only when it has not been refreshed for the stale time, however old it is", () => {
    const dir = fresh();
    const startedAt = new Date(Date.now() - 10 * HOUR).toISOString();
    // started long ago, refreshed a minute ago: alive
    writeClaim(dir, 'cell-c', 0, { host: 'elsewhere.example', pid: process.pid, startedAt }, 60_000);
    const lines: string[] = [];
    expect(tryClaim(dir, 'cell-c', process.pid, { staleAfterMs: 5 * 60_000, log: (l) => lines.push(l) }).claimed).toBe(false);
    // no heartbeat for 10 minutes: abandoned under a 5-minute stale time, not under a 15-minute one
    writeClaim(dir, 'cell-c', 0, { host: 'elsewhere.example', pid: process.pid, startedAt }, 10 * 60_000);
    expect(tryClaim(dir, 'cell-c', process.pid, { staleAfterMs: 15 * 60_000, log: (l) => lines.push(l) }).claimed).toBe(false);
    expect(tryClaim(dir, 'cell-c', process.pid, { staleAfterMs: 5 * 60_000, log: (l) => lines.push(l) }).claimed).toBe(true);
    expect(lines).toEqual([
      `claim cell-c: taken over from pid ${process.pid} on elsewhere.example (claimed at ${startedAt}, not refreshed for longer than 5 min)`,
    ]);
  });

  it('stale time: 5 minutes without a heartbeat, or the claim timeout when shorter', () => {
    expect(claimStaleMs(360)).toBe(5 * 60_000);
    expect(claimStaleMs(2)).toBe(2 * 60_000);
  });

  it('a heartbeat refreshes the claim, and finds out when another runner has taken it over', () => {
    const dir = fresh();
    const attempt = tryClaim(dir, 'cell-d', process.pid, { staleAfterMs: HOUR, log: () => undefined });
    const path = (attempt as { path: string }).path;
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(path, old, old);
    const beat = heartbeat(path, 60_000);
    beat.beat(); // not due yet (the interval counts from the heartbeat's start): the file keeps its old time
    expect(Math.abs(statSync(path).mtimeMs - old.getTime())).toBeLessThan(1);
    beat.refresh();
    expect(statSync(path).mtimeMs - old.getTime()).toBeGreaterThan(9 * 60_000);
    expect(beat.held()).toBe(true);
    // another host takes it over (generation 1) and removes the lower generation, as tryClaim does
    writeClaim(dir, 'cell-d', 1, { host: 'elsewhere.example', pid: 1, startedAt: new Date().toISOString() });
    expect(claimHeld(path)).toBe(false);
    beat.refresh();
    expect(beat.held()).toBe(false);
    rmSync(path);
    beat.refresh();
    expect(beat.held()).toBe(false);
    beat.stop();
  });

  it('a runner whose claim was taken over writes no result over the new owner\'s', async () => {
    await initBackend('wasm', () => undefined);
    const out = fresh();
    const spec: CellSpec = {
      algorithm: 'bc', config: {}, preset: 'cpu', env: 'simple_spread', envOptions: {}, dataset: 'expert', datasetPreset: 'smoke', seed: 0,
      budget: { updates: 2, evalEvery: 1, episodes: 1 },
    };
    const claims = join(out, 'claims');
    mkdirSync(claims);
    mkdirSync(join(out, 'cells'));
    const mine = writeClaim(claims, cellId(spec), 0, { host: hostname(), pid: process.pid, startedAt: new Date().toISOString() });
    // the new owner (generation 1) has already written its result
    writeClaim(claims, cellId(spec), 1, { host: 'elsewhere.example', pid: 1, startedAt: new Date().toISOString() });
    const theirs = join(out, 'cells', `${cellId(spec)}.json`);
    writeFileSync(theirs, 'the new owner\'s result');
    // the cell itself fails at once (no datasets in an empty data folder): a failed result that must not be written either
    const outcome = await runClaimedCell({ spec, claim: mine }, { out, dataDir: join(out, 'no-data') });
    expect(outcome.status).toBe('taken-over');
    expect(readFileSync(theirs, 'utf8')).toBe('the new owner\'s result');
    expect(readdirSync(join(out, 'cells'))).toEqual([`${cellId(spec)}.json`]);
    // its claim file is left alone too: the name is the new owner's to reuse once it releases
    expect(existsSync(mine)).toBe(true);
  });

  it('are won by exactly one of several processes racing for fresh and for abandoned claims', async () => {
    const dir = fresh();
    const claims = join(dir, 'claims');
    const fresh10 = Array.from({ length: 10 }, (_, k) => `fresh-${k}`);
    const stale10 = Array.from({ length: 10 }, (_, k) => `stale-${k}`);
    const gone = deadPid();
    mkdirSync(claims);
    for (const key of stale10) writeClaim(claims, key, 0, { host: hostname(), pid: gone, startedAt: new Date().toISOString() });
    const racer = join(import.meta.dirname, 'claim-racer.ts');
    const racers = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', racer, dir, claims, ...fresh10, ...stale10], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    const exited = racers.map((child) => new Promise((resolve) => child.on('exit', resolve)));
    const reports = racers.map((child) => new Promise<string[]>((resolve) => child.stdout!.once('data', (chunk) => resolve(JSON.parse(String(chunk))))));
    writeFileSync(join(dir, 'go'), '');
    const won = await Promise.all(reports);
    writeFileSync(join(dir, 'stop'), '');
    await Promise.all(exited);
    const winners = [...fresh10, ...stale10].map((key) => won.filter((keys) => keys.includes(key)).length);
    expect(winners).toEqual(new Array(20).fill(1));
  }, 60_000);
});
