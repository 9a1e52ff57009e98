/**
 * Which process owns a file that marks work in progress (a cell's claim, a temporary file being written), and whether
 * that process is gone. On the same host a dead pid settles it; another host's processes cannot be probed, so there
 * only age does (the owner's clock and ours must roughly agree).
 */
import { hostname } from 'node:os';

export interface Owner {
  host: string;
  pid: number;
}

/** This host and the given process (default: this one). */
export function ownerHere(pid: number = process.pid): Owner {
  return { host: hostname(), pid };
}

/** Whether a process of this host is alive. EPERM means it exists but belongs to another user: alive. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the owner of something whose last sign of life (its start, or a claim's latest heartbeat) was at `aliveAtMs` is
 * gone: on this host, its pid is dead; on another host, that was longer than `staleAfterMs` ago (an unreadable time
 * counts as old). (A recycled pid on this host keeps a dead owner's mark alive until that pid ends too.)
 */
export function ownerGone(owner: Owner, aliveAtMs: number, staleAfterMs: number, nowMs: number = Date.now()): boolean {
  if (owner.host === hostname()) return !processAlive(owner.pid);
  return !(nowMs - aliveAtMs <= staleAfterMs);
}

/** "pid 123 on host-a", for log lines. */
export function describeOwner(owner: Owner): string {
  return `pid ${owner.pid} on ${owner.host}`;
}
