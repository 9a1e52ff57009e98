/** CSV writing refuses an invalid row before anything reaches disk, and takes its column order from the row schema. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCsv } from '../../harness/report/index.ts';
import { ConfigError } from '../../contracts/errors.ts';

const validMemoryRow = { algorithm: 'om2p', taskId: 'simple_spread', n: 2, updatePeakBytes: 1024, updateLeakTensors: 0, updateLeakBytes: 0 };

describe('writeCsv', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'om2p-csv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    { label: 'a string where a count belongs', bad: { n: 'two' }, path: /\/n/ },
    { label: 'a NaN statistic', bad: { updatePeakBytes: Number.NaN }, path: /\/updatePeakBytes/ },
    { label: 'an unknown column', bad: { colour: 'red' }, path: /\/colour: unknown key/ },
  ])('refuses $label, naming the row, and writes no file', ({ bad, path }) => {
    const file = join(dir, 'memory.csv');
    const rows = [validMemoryRow, { ...validMemoryRow, ...bad }];
    expect(() => writeCsv(file, 'memory', rows)).toThrow(ConfigError);
    expect(() => writeCsv(file, 'memory', rows)).toThrow(path);
    expect(() => writeCsv(file, 'memory', rows)).toThrow(/memory\.csv row 2/);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a required column that is missing', () => {
    const file = join(dir, 'summary.csv');
    // n = 1 requires the mean, CI and IQM columns (schemas/csv-summary.schema.json)
    const row = { taskId: 't', env: 'e', dataset: 'd', algorithm: 'a', n: 1, diverged: 0, failed: 0 };
    expect(() => writeCsv(file, 'summary', [row])).toThrow(/returnMean: is required/);
    expect(existsSync(file)).toBe(false);
  });

  it('writes the header in schema order, whatever the key order of the row', () => {
    const file = join(dir, 'memory.csv');
    const shuffled = { updateLeakBytes: 0, n: 2, taskId: 'simple_spread', updateLeakTensors: 0, algorithm: 'om2p', updatePeakBytes: 1024 };
    writeCsv(file, 'memory', [shuffled]);
    expect(readFileSync(file, 'utf8')).toBe(
      'algorithm,taskId,n,updatePeakBytes,updateLeakTensors,updateLeakBytes\nom2p,simple_spread,2,1024,0,0\n',
    );
  });
});
