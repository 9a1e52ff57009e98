/**
 * Builders sharing a data folder (array tasks on a shared file system) build a dataset once: the build of a (task,
 * preset, seed) holds a lock in `<dataDir>/.locks`, and a builder that waited finds the levels written and reuses them.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDatasets } from '../../harness/data/build.ts';
import { listDatasets } from '../../harness/data/list.ts';
import { useBackend } from '../helpers/backend.ts';
import { useTempDirs } from './fixtures.ts';

const tempDir = useTempDirs();

describe('dataset build lock', () => {
  beforeAll(() => useBackend('wasm'));

  it('two builders of the same datasets at once: one builds, the other waits and reuses its files', async () => {
    const dataDir = tempDir();
    const logs: string[][] = [[], []];
    const build = (k: number) => ensureDatasets({ env: 'simple_spread', envOptions: {}, levels: ['expert'], preset: 'smoke', seed: 0, dataDir, log: (line) => logs[k].push(line) });
    const reports = await Promise.all([build(0), build(1)]);
    const builder = reports.findIndex((r) => r.built.length > 0);
    const waiter = 1 - builder;
    expect(builder).toBeGreaterThanOrEqual(0);
    expect([...reports[builder].built].sort()).toEqual(['expert', 'random']);
    expect(reports[waiter]).toMatchObject({ built: [], trained: false, returns: reports[builder].returns });
    expect([...reports[waiter].existing].sort()).toEqual(['expert', 'random']);
    expect(logs[waiter]).toEqual([expect.stringMatching(/^waiting for simple_spread\[n=3\]-smoke-seed0: claimed by pid \d+ on /)]);
    // the lock is released, and the listing (hidden folders skipped) shows the datasets only
    expect(readdirSync(join(dataDir, '.locks'))).toEqual([]);
    expect(listDatasets(dataDir).rows.map((row) => row.level).sort()).toEqual(['expert', 'random']);
  }, 120_000);
});
