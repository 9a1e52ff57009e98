/**
 * `info` without a forced backend: it is quiet about optional backends that are not installed (nothing on stderr) and
 * lists each one it tried before the chosen one as unavailable, with the reason.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../harness/backend.ts';

describe('info', () => {
  it('prints no "skipped" notices and lists the backends tried before the chosen one as unavailable', () => {
    const env = { ...process.env };
    delete env.OM2P_BACKEND;
    const run = spawnSync(process.execPath, [join(import.meta.dirname, '../bin/om2p-bench.js'), 'info'], { encoding: 'utf8', env });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const chosen = /^backend\s+(\S+)$/m.exec(run.stdout)?.[1];
    expect(BACKENDS).toContain(chosen);
    const tried = BACKENDS.slice(0, BACKENDS.indexOf(chosen as (typeof BACKENDS)[number]));
    const unavailable = [...run.stdout.matchAll(/^unavailable\s+(\S+): \S/gm)].map((m) => m[1]);
    expect(unavailable).toEqual(tried);
  }, 60_000);
});
