/**
 * `harness/files.ts`: JSON reads name the file, atomic writes never leave a partial file under the real name, and only
 * temporary files of writers that are gone are cleaned up.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExclusive, readJsonFile, removeAbandonedTempFiles, writeFileAtomic } from '../harness/files.ts';
import { useTempDirs } from './data/fixtures.ts';

const tempDir = useTempDirs();
const HOUR = 3_600_000;

describe('files', () => {
  it('readJsonFile says "no such file" or "not valid JSON" with the path', () => {
    const dir = tempDir();
    expect(() => readJsonFile(join(dir, 'a.json'), 'matrix spec')).toThrow(`no such file: ${join(dir, 'a.json')} (matrix spec)`);
    writeFileSync(join(dir, 'b.json'), '{"a": 1,}');
    expect(() => readJsonFile(join(dir, 'b.json'))).toThrow(new RegExp(`^${join(dir, 'b.json')}: not valid JSON: `));
    writeFileSync(join(dir, 'c.json'), '{"a": [1, 2]}');
    expect(readJsonFile(join(dir, 'c.json'))).toEqual({ a: [1, 2] });
  });

  it('writeFileAtomic replaces a file whole, and a failed write names the path and leaves nothing behind', () => {
    const dir = tempDir();
    const file = join(dir, 'sub', 'x.json');
    writeFileAtomic(file, 'first');
    writeFileAtomic(file, 'second');
    expect(readFileSync(file, 'utf8')).toBe('second');
    // A folder squatting on the target name: the rename fails for root too.
    const blocked = join(dir, 'blocked.json');
    mkdirSync(blocked);
    expect(() => writeFileAtomic(blocked, 'x')).toThrow(new RegExp(`^cannot write ${blocked}: EISDIR`));
    expect(readdirSync(dir).sort()).toEqual(['blocked.json', 'sub']);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['x.json']);
  });

  it('createExclusive creates a file once, complete', () => {
    const file = join(tempDir(), 'claims', 'k.0.claim');
    expect(createExclusive(file, 'mine')).toBe(true);
    expect(createExclusive(file, 'theirs')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('removeAbandonedTempFiles removes the temporary files of dead or long-gone writers only', () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const names = {
      deadHere: `a.json~${hostname()}~${dead}.tmp`,
      aliveHere: `b.json~${hostname()}~${process.pid}.tmp`,
      youngElsewhere: `c.json~elsewhere.example~${process.pid}.tmp`,
      oldElsewhere: `d.json~elsewhere.example~${process.pid}.tmp`,
      result: 'e.json',
    };
    for (const name of Object.values(names)) writeFileSync(join(dir, name), 'partial');
    const twoHoursAgo = (Date.now() - 2 * HOUR) / 1000;
    utimesSync(join(dir, names.oldElsewhere), twoHoursAgo, twoHoursAgo);
    expect(removeAbandonedTempFiles(dir, HOUR).sort()).toEqual([join(dir, names.deadHere), join(dir, names.oldElsewhere)]);
    expect(readdirSync(dir).sort()).toEqual([names.aliveHere, names.youngElsewhere, names.result].sort());
  });
});
