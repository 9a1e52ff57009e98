/**
 * Fixtures for matrix tests: a tiny matrix spec on the smoke datasets of cooperative navigation (built once per test
 * file into its temporary folder, removed after the file) and an in-process runner.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { initBackend } from '../../harness/backend.ts';
import { ensureDatasets } from '../../harness/data/build.ts';
import { runMatrix, type MatrixRunOptions } from '../../harness/run/matrix.ts';

const TINY = { hidden: [16], batchSize: 16 };

/** bc and om2p (2×16 hidden units) on simple_spread × `datasets` × `seeds`, 4 updates: 2·|datasets|·|seeds| cells. */
export function tinySpec(name: string, overrides: { datasets?: string[]; seeds?: number[]; updates?: number } = {}) {
  const updates = overrides.updates ?? 4;
  return {
    name,
    datasetPreset: 'smoke',
    algorithms: [
      { name: 'bc', config: TINY },
      { name: 'om2p', config: TINY },
    ],
    environments: [{ name: 'simple_spread' }],
    datasets: overrides.datasets ?? ['expert'],
    seeds: overrides.seeds ?? [0, 1],
    budget: { updates, evalEvery: Math.max(1, Math.floor(updates / 2)), episodes: 2 },
  };
}

export interface TinyMatrix {
  root: string;
  dataDir: string;
  /** Writes a spec file into the root folder; returns its path. */
  writeSpec(spec: object, file?: string): string;
  /** `runMatrix` in this process (no workers), quiet unless `log` is given. */
  run(spec: string, out: string, extra?: Partial<MatrixRunOptions>): ReturnType<typeof runMatrix>;
}

/** A temporary root with the smoke datasets of simple_spread (random … expert) built in `beforeAll`; removed after. */
export function useTinyMatrix(prefix: string): TinyMatrix {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(root, 'data');
  beforeAll(async () => {
    await initBackend('wasm', () => undefined);
    await ensureDatasets({ env: 'simple_spread', envOptions: {}, levels: ['expert'], preset: 'smoke', seed: 0, dataDir, log: () => undefined });
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return {
    root,
    dataDir,
    writeSpec: (spec, file = 'spec.json') => {
      const path = join(root, file);
      writeFileSync(path, JSON.stringify(spec));
      return path;
    },
    run: (spec, out, extra = {}) =>
      runMatrix({ spec, out, workers: 0, plugins: [], dataDir, progress: false, log: () => undefined, pollMs: 50, ...extra }),
  };
}
