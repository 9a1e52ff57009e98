/**
 * Claims: how several `matrix run` processes on one output folder share its cells. Before a cell runs, its runner
 * creates `<out>/claims/<cellId>.<g>.claim` (JSON {host, pid, startedAt}; g = 0 at first) exclusively and completely
 * (`createExclusive`); whoever creates it runs the cell, the others leave it alone. The claim is removed once the cell's
 * result is written, or its run failed. While it works, the holder refreshes its claim's modification time every
 * `HEARTBEAT_MS` (`heartbeat`). A claim whose owner is gone (`ownerGone`: this host, a dead pid; another host, not
 * refreshed for longer than the stale time) is taken over by creating generation g + 1, again exclusively, so of several
 * runners taking it over at once exactly one wins; a loser that created a lower generation sees the higher one and
 * withdraws, and the winner removes the lower generations. An owner that was only slow (a paused host, a file system
 * that stalled) finds its file gone or outranked at its next heartbeat: it has lost the claim, stops, and writes nothing
 * (see `cell-job.ts`). The same mechanism locks the folder-wide steps (writing the report) and a data folder's dataset
 * builds under other keys.
 */
import { readFileSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createExclusive } from './files.ts';
import { describeOwner, ownerGone, ownerHere, type Owner } from './owner.ts';

export interface Claim extends Owner {
  startedAt: string;
}

/** How often a holder refreshes its claims. */
export const HEARTBEAT_MS = 30_000;
/** A claim of another host not refreshed for this long is abandoned (ten missed heartbeats: a loaded shared file system may lag). */
export const HEARTBEAT_STALE_MS = 5 * 60_000;

/** The stale time of claims made on other hosts: the heartbeat's, or the claim timeout when that is shorter (its upper bound). */
export function claimStaleMs(claimTimeoutMinutes: number): number {
  return Math.min(HEARTBEAT_STALE_MS, claimTimeoutMinutes * 60_000);
}

export interface ClaimOptions {
  /** A claim made on another host and not refreshed for this long is considered abandoned and taken over (`claimStaleMs`). */
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
      const read = readClaim(claimPath(dir, key, top));
      if (read === undefined) continue; // released meanwhile
      if (read !== 'unreadable' && !ownerGone(read.claim, read.refreshedMs, options.staleAfterMs)) return { claimed: false, holder: read.claim };
      replaced = read === 'unreadable' ? read : read.claim;
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

/** Whether the claim file at `path` is still this holder's: it exists and no later generation of its key does. */
export function claimHeld(path: string): boolean {
  const match = /^(.*)\.(\d+)\.claim$/.exec(basename(path));
  if (!match) throw new Error(`not a claim file: ${path}`);
  const mine = Number(match[2]);
  const present = generations(dirname(path), match[1]);
  return present.includes(mine) && present.every((g) => g <= mine);
}

/** A held claim's heartbeat: `beat()` refreshes it when `HEARTBEAT_MS` have passed; `held()` says whether it is still ours. */
export interface Heartbeat {
  /** Refreshes the claim if due (cheap otherwise: call it as often as convenient, e.g. every update). */
  beat(): void;
  /** Refreshes the claim now (before acting on `held()` where acting matters: writing a result). */
  refresh(): void;
  /** False once a refresh found the claim gone or outranked (taken over); it never becomes true again. */
  held(): boolean;
  stop(): void;
}

/**
 * Keeps the claim at `path` fresh: on a timer (while the event loop is free) and on every due `beat()` (a training loop
 * that blocks the event loop calls it). The timer does not keep the process alive.
 */
export function heartbeat(path: string, everyMs: number = HEARTBEAT_MS): Heartbeat {
  let last = Date.now();
  let lost = false;
  const refresh = () => {
    if (lost) return;
    last = Date.now();
    if (!claimHeld(path)) {
      lost = true;
      return;
    }
    const now = new Date(last);
    try {
      utimesSync(path, now, now);
    } catch (error) {
      // removed between the check and the refresh: taken over; any other failure (a shared file system's hiccup) is
      // retried at the next refresh, and should they all fail, the claim goes stale and another host takes it over
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') lost = true;
    }
  };
  const timer = setInterval(refresh, everyMs);
  timer.unref();
  return {
    beat: () => {
      if (Date.now() - last >= everyMs) refresh();
    },
    refresh,
    held: () => !lost,
    stop: () => clearInterval(timer),
  };
}

/**
 * Waits (polling) until `key` is claimed for this process, runs `work` with the claim's heartbeat (`work` calls `beat()`
 * where it blocks the event loop for long), then releases the claim. A claim taken over meanwhile is reported.
 */
export async function withClaim<T>(dir: string, key: string, options: ClaimOptions & { pollMs: number }, work: (beat: () => void) => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    const attempt = tryClaim(dir, key, process.pid, options);
    if (attempt.claimed) {
      const keeper = heartbeat(attempt.path);
      try {
        return await work(keeper.beat);
      } finally {
        keeper.stop();
        // a lost claim's file is not ours to remove: once the new owner releases, its name can be claimed afresh
        if (keeper.held()) releaseClaim(attempt.path);
        else options.log(`claim ${key}: taken over by another runner while this one worked (it looked abandoned: no heartbeat for ${options.staleAfterMs / 60_000} min)`);
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

/**
 * The claim in a file and when it was last refreshed (its modification time); undefined when the file is gone,
 * 'unreadable' when it is not a claim (never ours: ours are written whole).
 */
function readClaim(path: string): { claim: Claim; refreshedMs: number } | 'unreadable' | undefined {
  let text: string;
  let refreshedMs: number;
  try {
    text = readFileSync(path, 'utf8');
    refreshedMs = statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the claim ${path}: ${(error as Error).message}`);
  }
  try {
    const claim = JSON.parse(text) as Claim;
    if (typeof claim.host === 'string' && Number.isInteger(claim.pid) && typeof claim.startedAt === 'string') return { claim, refreshedMs };
  } catch {
    // not JSON: unreadable
  }
  return 'unreadable';
}

function takeoverReason(replaced: Claim | 'unreadable', staleAfterMs: number): string {
  if (replaced === 'unreadable') return 'an unreadable claim file';
  const why = replaced.host === ownerHere().host
    ? 'that process has ended'
    : `claimed at ${replaced.startedAt}, not refreshed for longer than ${staleAfterMs / 60_000} min`;
  return `${describeOwner(replaced)} (${why})`;
}
