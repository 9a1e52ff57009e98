/**
 * A tiny hand-made results folder: one task (simple_spread, expert), two algorithms, every status.
 *   om2p seed 0 done  (last: return 400, normalised 60; peak 1 MiB, update 10 ms)
 *   om2p seed 1 done  (last: return 450, normalised 80; peak 3 MiB, update 20 ms)
 *   om2p seed 2 failed
 *   bc   seed 0 done  (last: return 300, normalised 30; peak 4 MiB, update 45 ms)
 *   bc   seed 1 diverged at update 7
 * The folder is removed by `cleanup`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellId, CellResult, EvalPoint } from '../../contracts/types.ts';

const MIB = 2 ** 20;

function common(cellId: string, algorithm: string, seed: number) {
  return {
    cellId: cellId as CellId,
    spec: {
      algorithm,
      config: {},
      preset: 'cpu' as const,
      env: 'simple_spread',
      envOptions: {},
      dataset: 'expert',
      datasetPreset: 'smoke',
      seed,
      budget: { updates: 10, evalEvery: 9, episodes: 4 },
    },
    taskId: 'simple_spread',
    resolvedConfig: {},
    configHash: 'c0ffee',
    datasetSha256: 'ab'.repeat(32),
    runtime: { backend: 'cpu', tfjsVersion: '4.22.0', nodeVersion: 'v20', harnessVersion: '0.1.0', host: { cores: 2, platform: 'linux', arch: 'x64' } },
    startedAt: '2026-01-01T00:00:00.000Z',
    wallMs: 1000 + seed,
  };
}

const point = (update: number, returnMean: number, normalised: number): EvalPoint => ({ update, returnMean, returnSd: 5, normalised });

function done(cellId: string, algorithm: string, seed: number, first: EvalPoint, last: EvalPoint, peakMiB: number, updateMs: number): CellResult {
  return {
    ...common(cellId, algorithm, seed),
    status: 'done',
    curve: [first, last],
    last,
    best: last,
    losses: [{ update: 10, values: { 'critic/loss': 0.5 } }],
    efficiency: {
      updatePeakBytes: peakMiB * MIB,
      updateLeakTensors: 0,
      updateLeakBytes: 0,
      updateMsMedian: updateMs,
      updatesPerSecond: 1000 / updateMs,
      actMsBatch1: 1,
      actMsBatchEval: 2,
      networkEvalsPerAction: 1,
    },
  };
}

export const FIXTURE_CELLS: CellResult[] = [
  done('aaaaaaaaaaaa0001', 'om2p', 0, point(1, 200, 10), point(10, 400, 60), 1, 10),
  done('aaaaaaaaaaaa0002', 'om2p', 1, point(1, 210, 12), point(10, 450, 80), 3, 20),
  { ...common('aaaaaaaaaaaa0003', 'om2p', 2), status: 'failed', error: 'out of memory\nstack line' },
  done('bbbbbbbbbbbb0001', 'bc', 0, point(1, 150, 2), point(10, 300, 30), 4, 45),
  { ...common('bbbbbbbbbbbb0002', 'bc', 1), status: 'diverged', step: 7, lossName: 'actor/loss', curve: [point(1, 140, 1)] },
];

/** Writes `cells` into a fresh temp folder's `cells/`; returns the folder. */
export function makeResultsDir(cells: readonly CellResult[] = FIXTURE_CELLS): string {
  const dir = mkdtempSync(join(tmpdir(), 'om2p-report-'));
  mkdirSync(join(dir, 'cells'));
  for (const cell of cells) writeFileSync(join(dir, 'cells', `${cell.cellId}.json`), JSON.stringify(cell));
  return dir;
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
