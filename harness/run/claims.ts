/**
 * Claims: how several `matrix run` processes on one output folder share its cells. Before a cell runs, its runner
 * creates `<out>/claims/<cellId>.<g>.claim` (JSON {host, pid, startedAt}; g = 0 at first) exclusively and completely
 * (`createExclusive`); whoever creates it runs the cell, the others leave it alone. The claim is removed once the cell's
 * result is written, or its run failed. A claim whose owner is gone (`ownerGone`: this host, a dead pid; another host,
 * older than the claim timeout) is taken over by creating generation g + 1, again exclusively, so of several runners
 * taking it over at once exactly one wins; a loser that created a lower generation sees the higher one and withdraws.
 * The same mechanism locks the folder-wide steps (building datasets, writing the report) under other keys.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createExclusive } from '../files.ts';
import { describeOwner, ownerGone, ownerHere, type Owner } from '../owner.ts';

export interface Claim extends Owner {
  startedAt: string;
}

export interface ClaimOptions {
  /** A claim made on another host longer ago than this is considered abandoned and taken over. */
  staleAfterMs: number;
  /** Where takeovers are reported. */
  log: (line: string) => void;
}

export type ClaimAttempt = { claimed: true; path: string } | { claimed: false; holder: Claim };

/** Claim attempts in a row that may lose a race before giving up (each loss means another runner made progress). */
const MAX_RACES = 100;

export function claimsDir(out: string): string {
  return join(out, 'claims');
}

/** Claims `key` for process `pid` of this host, unless a live owner holds it (then returns that owner). */
export function tryClaim(dir: string, key: string, pid: number, options: ClaimOptions): ClaimAttempt {
  for (let race = 0; race < MAX_RACES; race++) {
    const top = generations(dir, key).at(-1);
    let replaced: Claim | 'unreadable' | undefined;
    if (top !== undefined) {
      const holder = readClaim(claimPath(dir, key, top));
      if (holder === undefined) continue; // released meanwhile
      if (holder !== 'unreadable' && !claimGone(holder, options.staleAfterMs)) return { claimed: false, holder };
      replaced = holder;
    }
    const generation = top === undefined ? 0 : top + 1;
    const path = claimPath(dir, key, generation);
    const mine: Claim = { ...ownerHere(pid), startedAt: new Date().toISOString() };
    if (!createExclusive(path, `${JSON.stringify(mine)}\n`)) continue;
    if (generations(dir, key).some((g) => g > generation)) {
      rmSync(path, { force: true });
      continue;
    }
    for (const g of generations(dir, key)) if (g < generation) rmSync(claimPath(dir, key, g), { force: true });
    if (replaced) options.log(`claim ${key}: taken over from ${takeoverReason(replaced, options.staleAfterMs)}`);
    return { claimed: true, path };
  }
  throw new Error(`claim ${key} in ${dir}: lost ${MAX_RACES} races in a row to other runners`);
}

/** Removes a claim (its work is written, or failed). */
export function releaseClaim(path: string): void {
  rmSync(path, { force: true });
}

/** Waits (polling) until `key` is claimed for this process, runs `work`, then releases the claim. */
export async function withClaim<T>(dir: string, key: string, options: ClaimOptions & { pollMs: number }, work: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    const attempt = tryClaim(dir, key, process.pid, options);
    if (attempt.claimed) {
      try {
        return await work();
      } finally {
        releaseClaim(attempt.path);
      }
    }
    if (!announced) options.log(`waiting for ${key}: claimed by ${describeOwner(attempt.holder)} since ${attempt.holder.startedAt}`);
    announced = true;
    await sleep(options.pollMs);
  }
}

function claimPath(dir: string, key: string, generation: number): string {
  return join(dir, `${key}.${generation}.claim`);
}

/** The generations of `key` present in `dir`, ascending. */
function generations(dir: string, key: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const prefix = `${key}.`;
  return names
    .filter((name) => name.startsWith(prefix) && name.endsWith('.claim'))
    .map((name) => name.slice(prefix.length, -'.claim'.length))
    .filter((g) => /^\d+$/.test(g))
    .map(Number)
    .sort((a, b) => a - b);
}

/** The claim in a file; undefined when the file is gone, 'unreadable' when it is not a claim (never ours: ours are written whole). */
function readClaim(path: string): Claim | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the claim ${path}: ${(error as Error).message}`);
  }
  try {
    const claim = JSON.parse(text) as Claim;
    if (typeof claim.host === 'string' && Number.isInteger(claim.pid) && typeof claim.startedAt === 'string') return claim;
  } catch {
    // not JSON: unreadable
  }
  return 'unreadable';
}

function claimGone(claim: Claim, staleAfterMs: number): boolean {
  return ownerGone(claim, Date.parse(claim.startedAt), staleAfterMs);
}

function takeoverReason(replaced: Claim | 'unreadable', staleAfterMs: number): string {
  if (replaced === 'unreadable') return 'an unreadable claim file';
  const why = replaced.host === ownerHere().host
    ? 'that process has ended'
    : `claimed at ${replaced.startedAt}, longer ago than the claim timeout of ${staleAfterMs / 60_000} min`;
  return `${describeOwner(replaced)} (${why})`;
}
