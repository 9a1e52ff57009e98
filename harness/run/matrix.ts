/**
 * `matrix run`: expand a spec into cells, keep this shard's, skip finished cells (resume), build missing datasets, then run
 * the rest in N worker processes (0 = in this process) with a progress bar (off a terminal: a line per evaluation point of
 * each cell and one per cell ended, with the shard's ETA). A failed or diverged cell is recorded and the others go on.
 * Several runners may share one output folder: they split its cells through claims (`round.ts`), and each ends when the
 * whole round has ended, printing the same summary a single runner would.
 */
import { join } from 'node:path';
import { ensureDatasets } from '../data/build.ts';
import { initBackend } from '../backend.ts';
import { writeFileAtomic } from '../files.ts';
import { progressBar, progressLine } from '../progress.ts';
import type { CellSpec } from '../../contracts/types.ts';
import { runClaimedCell, type CellOutcome } from './cell-job.ts';
import { claimStaleMs, claimsDir } from '../claims.ts';
import { isDatasetPath } from './dataset-for-cell.ts';
import { cellId, expandMatrix, readMatrixSpec, type MatrixSpec } from './expand.ts';
import { runInWorkers } from './pool.ts';
import { Round } from './round.ts';
import { shardCells, type Shard } from './shard.ts';
import { corruptWarning, isFinished, readCellResults, removeAbandonedCellTemps, type CorruptCellFile } from './store.ts';

/**
 * Default claim timeout (`--claim-timeout`): the longest a claim made on another host is waited for without a heartbeat;
 * claims are refreshed every 30 s and taken over after 5 min without one (`claims.ts`), or after this when it is shorter.
 * Temporary result files of other hosts (no heartbeat) are removed after this long.
 */
export const DEFAULT_CLAIM_TIMEOUT_MINUTES = 360;
/** How often a runner waiting for other runners' cells (or datasets, or the report) looks again. */
export const DEFAULT_POLL_MS = 1000;

export interface MatrixRunOptions {
  spec: string;
  out: string;
  /** Worker processes; 0 runs cells in this process. */
  workers: number;
  shard?: Shard;
  backend?: string;
  plugins: string[];
  dataDir: string;
  /** Show progress bars (stderr) for the cells and any dataset build; otherwise lines: per evaluation point, cell and checkpoint. */
  progress: boolean;
  log: (line: string) => void;
  /** Upper bound on the wait for another host's claim without a heartbeat (see DEFAULT_CLAIM_TIMEOUT_MINUTES). @default DEFAULT_CLAIM_TIMEOUT_MINUTES */
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
  const claimTimeoutMinutes = options.claimTimeoutMinutes ?? DEFAULT_CLAIM_TIMEOUT_MINUTES;
  const claims = {
    claims: claimsDir(options.out),
    staleAfterMs: claimStaleMs(claimTimeoutMinutes),
    pollMs: options.pollMs ?? DEFAULT_POLL_MS,
    log: options.log,
  };
  writeFileAtomic(join(options.out, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  for (const temp of removeAbandonedCellTemps(options.out, claimTimeoutMinutes * 60_000)) options.log(`removed ${temp}: left by a writer killed mid-write`);
  const { results: existing, corrupt } = readCellResults(options.out);
  for (const file of corrupt) options.log(corruptWarning(file, 'its cell will be run again'));
  const todo = mine.filter((cell) => !isFinished(existing.get(cellId(cell))));
  const shardName = options.shard ? `shard ${options.shard.index}/${options.shard.count}` : 'matrix';
  options.log(`matrix ${matrix.name}: ${all.length} cells, ${mine.length} in ${options.shard ? `this ${shardName}` : 'this run'}, ${mine.length - todo.length} already finished, ${todo.length} to run`);
  await initBackend(options.backend, options.log);
  // builds of the same dataset by other runners (other shards too) wait for one another in the data folder
  await buildDatasetsFor(matrix, todo, options);

  const bar = options.progress
    ? progressBar({ format: 'cells {bar} {value}/{total} done | {running} running | {failed} failed | ETA {eta_formatted}', total: todo.length, payload: { running: 0, failed: 0 } })
    : undefined;
  let handled = 0;
  let running = 0;
  let failedHere = 0;
  const started = performance.now();
  // Without a bar (not a terminal: CI, a Slurm output file), one line per cell ended, with the shard's progress and ETA.
  const shardLine = () => options.log(`${shardName}: ${progressLine('cells', handled, todo.length, performance.now() - started)}${failedHere > 0 ? ` (${failedHere} failed)` : ''}`);
  const onHandledElsewhere = () => {
    handled++;
    if (bar) bar.update(handled);
    else shardLine();
  };
  const round = new Round(todo, existing, { ...claims, out: options.out, onHandledElsewhere });
  const onStart = () => bar?.update(handled, { running: ++running });
  const onDone = (spec: CellSpec, outcome: CellOutcome) => {
    running--;
    if (outcome.status === 'taken-over') {
      // another runner took the cell over (this one looked abandoned): wait for its result like any other runner's
      options.log(`cell ${cellId(spec)}: ${outcome.reason}; waiting for its result`);
      round.requeue(spec);
      return;
    }
    round.record(spec, outcome);
    handled++;
    if (outcome.status !== 'done') failedHere++;
    bar?.update(handled, { running, failed: failedHere });
    if (bar) return;
    options.log(`cell ${cellId(spec)} ${outcome.status}: ${spec.algorithm} ${spec.env} ${spec.dataset} seed ${spec.seed}`);
    shardLine();
  };
  // per evaluation point, where no bar shows that a long cell is alive
  const cellLog = bar ? undefined : options.log;
  if (options.workers <= 0) {
    for (let job = await round.next(process.pid); job; job = await round.next(process.pid)) {
      onStart();
      onDone(job.spec, await runClaimedCell(job, { out: options.out, dataDir: options.dataDir, log: cellLog }));
    }
  } else {
    await runInWorkers(round, { ...options, evalLines: cellLog !== undefined }, { onStart, onDone });
  }
  bar?.stop();
  const failed = round.unfinished().map(({ spec, outcome }) => ({
    cellId: cellId(spec),
    algorithm: spec.algorithm,
    reason: `${outcome.status}: ${outcome.reason ?? ''}`,
  }));
  return { matrix, total: mine.length, skipped: mine.length - todo.length, ran: todo.length, failed, corrupt };
}

/** Builds (or reuses) every dataset level `cells` need (all of the matrix's: `datasets build --for`), before any cell starts. */
export async function buildDatasetsFor(matrix: MatrixSpec, todo: CellSpec[], options: Pick<MatrixRunOptions, 'dataDir' | 'log' | 'progress'> & { threads?: number }): Promise<void> {
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
      threads: options.threads,
    });
  }
}
