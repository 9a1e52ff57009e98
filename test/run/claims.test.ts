/**
 * Claims (`harness/run/claims.ts`): exclusive, held while their owner lives, taken over (and logged) when it is gone —
 * a dead pid on this host, an age beyond the timeout on another — and won by exactly one of several processes racing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseClaim, tryClaim } from '../../harness/run/claims.ts';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));
const fresh = () => (root = mkdtempSync(join(tmpdir(), 'om2p-claims-')));
const HOUR = 3_600_000;

/** The pid of a process that has ended (a child that exited at once). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

/** A claim file as another runner would have written it. */
function writeClaim(dir: string, key: string, generation: number, claim: { host: string; pid: number; startedAt: string }): void {
  writeFileSync(join(dir, `${key}.${generation}.claim`), JSON.stringify(claim));
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

  it("take over another host's claim only when it is older than the timeout", () => {
    const dir = fresh();
    const startedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    writeClaim(dir, 'cell-c', 0, { host: 'elsewhere.example', pid: process.pid, startedAt });
    const lines: string[] = [];
    expect(tryClaim(dir, 'cell-c', process.pid, { staleAfterMs: 15 * 60_000, log: (l) => lines.push(l) }).claimed).toBe(false);
    expect(tryClaim(dir, 'cell-c', process.pid, { staleAfterMs: 5 * 60_000, log: (l) => lines.push(l) }).claimed).toBe(true);
    expect(lines).toEqual([
      `claim cell-c: taken over from pid ${process.pid} on elsewhere.example (claimed at ${startedAt}, longer ago than the claim timeout of 5 min)`,
    ]);
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
