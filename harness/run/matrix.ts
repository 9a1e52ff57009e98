/**
 * `matrix run`: expand a spec into cells, keep this shard's, skip finished cells (resume), build missing datasets, then run
 * the rest in N worker processes (0 = in this process) with a progress bar. A failed or diverged cell is recorded and the
 * others go on. Several runners may share one output folder: they split its cells through claims (`round.ts`), and
 * each ends when the whole round has ended, printing the same summary a single runner would.
 */
import { join } from 'node:path';
import { ensureDatasets } from '../data/build.ts';
import { initBackend } from '../backend.ts';
import { writeFileAtomic } from '../files.ts';
import { progressBar } from '../progress.ts';
import type { CellSpec } from '../../contracts/types.ts';
import { runClaimedCell, type CellOutcome } from './cell-job.ts';
import { claimsDir, withClaim } from './claims.ts';
import { isDatasetPath } from './dataset-for-cell.ts';
import { cellId, expandMatrix, readMatrixSpec, shardCells, type MatrixSpec } from './expand.ts';
import { runInWorkers } from './pool.ts';
import { Round } from './round.ts';
import { corruptWarning, isFinished, readCellResults, removeAbandonedCellTemps, type CorruptCellFile } from './store.ts';

/** Default claim timeout: a claim made on another host longer ago than this is taken over (`--claim-timeout`). */
export const DEFAULT_CLAIM_TIMEOUT_MINUTES = 360;
/** How often a runner waiting for other runners' cells (or datasets, or the report) looks again. */
export const DEFAULT_POLL_MS = 1000;

export interface MatrixRunOptions {
  spec: string;
  out: string;
  /** Worker processes; 0 runs cells in this process. */
  workers: number;
  shard?: { index: number; count: number };
  backend?: string;
  plugins: string[];
  dataDir: string;
  /** Show progress bars (stderr) for the cells and any dataset build; otherwise one line per cell or checkpoint. */
  progress: boolean;
  log: (line: string) => void;
  /** Claims made on another host longer ago than this are taken over. @default DEFAULT_CLAIM_TIMEOUT_MINUTES */
  claimTimeoutMinutes?: number;
  /** @default DEFAULT_POLL_MS */
  pollMs?: number;
}

export interface MatrixRunSummary {
  matrix: MatrixSpec;
  total: number;
  skipped: number;
  /** Cells unfinished when this runner started: run in this round by it or by a cooperating runner. */
  ran: number;
  /** Cells of the round that failed or diverged, in spec order. */
  failed: { cellId: string; algorithm: string; reason: string }[];
  /** Corrupt result files this runner moved aside (their cells were run again). */
  corrupt: CorruptCellFile[];
}

export async function runMatrix(options: MatrixRunOptions): Promise<MatrixRunSummary> {
  const matrix = readMatrixSpec(options.spec);
  const all = expandMatrix(matrix);
  const mine = options.shard ? shardCells(all, options.shard) : all;
  const claims = {
    claims: claimsDir(options.out),
    staleAfterMs: (options.claimTimeoutMinutes ?? DEFAULT_CLAIM_TIMEOUT_MINUTES) * 60_000,
    pollMs: options.pollMs ?? DEFAULT_POLL_MS,
    log: options.log,
  };
  writeFileAtomic(join(options.out, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  for (const temp of removeAbandonedCellTemps(options.out, claims.staleAfterMs)) options.log(`removed ${temp}: left by a writer killed mid-write`);
  const { results: existing, corrupt } = readCellResults(options.out);
  for (const file of corrupt) options.log(corruptWarning(file, 'its cell will be run again'));
  const todo = mine.filter((cell) => !isFinished(existing.get(cellId(cell))));
  options.log(`matrix ${matrix.name}: ${all.length} cells, ${mine.length} in this shard, ${mine.length - todo.length} already finished, ${todo.length} to run`);
  await initBackend(options.backend);
  await withClaim(claims.claims, 'datasets', claims, () => buildMissingDatasets(matrix, todo, options));

  const bar = options.progress
    ? progressBar({ format: 'cells {bar} {value}/{total} done | {running} running | {failed} failed | ETA {eta_formatted}', total: todo.length, payload: { running: 0, failed: 0 } })
    : undefined;
  let handled = 0;
  let running = 0;
  let failedHere = 0;
  const round = new Round(todo, existing, { ...claims, out: options.out, onHandledElsewhere: () => bar?.update(++handled) });
  const onStart = () => bar?.update(handled, { running: ++running });
  const onDone = (spec: CellSpec, outcome: CellOutcome) => {
    round.record(spec, outcome);
    handled++;
    running--;
    if (outcome.status !== 'done') failedHere++;
    bar?.update(handled, { running, failed: failedHere });
    // Without a bar (not a terminal, e.g. CI), one line per cell this runner ran.
    if (!bar) options.log(`cell ${cellId(spec)} ${outcome.status}: ${spec.algorithm} ${spec.env} ${spec.dataset} seed ${spec.seed}`);
  };
  if (options.workers <= 0) {
    for (let job = await round.next(process.pid); job; job = await round.next(process.pid)) {
      onStart();
      onDone(job.spec, await runClaimedCell(job, { out: options.out, dataDir: options.dataDir }));
    }
  } else {
    await runInWorkers(round, options, { onStart, onDone });
  }
  bar?.stop();
  const failed = round.unfinished().map(({ spec, outcome }) => ({
    cellId: cellId(spec),
    algorithm: spec.algorithm,
    reason: `${outcome.status}: ${outcome.reason ?? ''}`,
  }));
  return { matrix, total: mine.length, skipped: mine.length - todo.length, ran: todo.length, failed, corrupt };
}

/** Builds (or reuses) every dataset level the cells to run need, before any cell starts. */
async function buildMissingDatasets(matrix: MatrixSpec, todo: CellSpec[], options: MatrixRunOptions): Promise<void> {
  for (const env of matrix.environments) {
    const levels = [...new Set(todo.filter((c) => c.env === env.name && !isDatasetPath(c.dataset)).map((c) => c.dataset))];
    if (levels.length === 0) continue;
    await ensureDatasets({
      env: env.name,
      envOptions: env.options ?? {},
      levels,
      preset: matrix.datasetPreset ?? 'quick',
      seed: 0,
      dataDir: options.dataDir,
      log: options.log,
      progress: options.progress,
    });
  }
}
