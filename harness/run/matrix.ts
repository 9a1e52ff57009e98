/**
 * `matrix run`: expand a spec into cells, keep this shard's, skip finished cells (resume), build missing datasets, then run
 * the rest in N worker processes (0 = in this process) with a progress bar. A failed or diverged cell is recorded and the
 * others go on.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ensureDatasets } from '../data/build.ts';
import { initBackend } from '../backend.ts';
import { progressBar } from '../progress.ts';
import type { CellSpec } from '../types.ts';
import { isDatasetPath } from './dataset-for-cell.ts';
import { cellId, expandMatrix, readMatrixSpec, shardCells, type MatrixSpec } from './expand.ts';
import { runCell } from './cell.ts';
import { keepPoliciesIn } from './policy-file.ts';
import { isFinished, readCellResults, writeCellResult } from './store.ts';
import type { FromWorker, ToWorker } from './worker.ts';

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
}

export interface MatrixRunSummary {
  matrix: MatrixSpec;
  total: number;
  skipped: number;
  ran: number;
  failed: { cellId: string; algorithm: string; reason: string }[];
}

export async function runMatrix(options: MatrixRunOptions): Promise<MatrixRunSummary> {
  const matrix = readMatrixSpec(options.spec);
  const all = expandMatrix(matrix);
  const mine = options.shard ? shardCells(all, options.shard) : all;
  const existing = readCellResults(options.out);
  const todo = mine.filter((cell) => !isFinished(existing.get(cellId(cell))));
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  options.log(`matrix ${matrix.name}: ${all.length} cells, ${mine.length} in this shard, ${mine.length - todo.length} already finished, ${todo.length} to run`);
  await initBackend(options.backend, options.log);
  await buildMissingDatasets(matrix, todo, options);
  const failed: MatrixRunSummary['failed'] = [];
  const bar = options.progress
    ? progressBar({ format: 'cells {bar} {value}/{total} done | {running} running | {failed} failed | ETA {eta_formatted}', total: todo.length, payload: { running: 0, failed: 0 } })
    : undefined;
  let finished = 0;
  const onDone = (spec: CellSpec, status: string, reason?: string) => {
    if (status !== 'done') failed.push({ cellId: cellId(spec), algorithm: spec.algorithm, reason: `${status}: ${reason ?? ''}` });
    // Without a bar (not a terminal, e.g. CI), one line per finished cell.
    if (!bar) options.log(`cell ${finished}/${todo.length} ${status}: ${spec.algorithm} ${spec.env} ${spec.dataset} seed ${spec.seed}`);
  };
  const tick = (running: number) => bar?.update(finished, { running, failed: failed.length });
  if (options.workers <= 0) {
    for (const spec of todo) {
      tick(1);
      const result = await runCell(spec, { dataDir: options.dataDir, onTrained: keepPoliciesIn(options.out) });
      writeCellResult(options.out, result);
      finished++;
      onDone(spec, result.status, result.status === 'failed' ? result.error : undefined);
      tick(0);
    }
  } else {
    await runInWorkers(todo, options, (spec, status, reason, running) => {
      finished++;
      onDone(spec, status, reason);
      tick(running);
    });
  }
  bar?.stop();
  return { matrix, total: mine.length, skipped: mine.length - todo.length, ran: todo.length, failed };
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

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** A pool of `options.workers` processes pulling cells from one queue. */
async function runInWorkers(
  todo: CellSpec[],
  options: MatrixRunOptions,
  onDone: (spec: CellSpec, status: string, reason: string | undefined, running: number) => void,
): Promise<void> {
  const queue = [...todo];
  const count = Math.min(options.workers, queue.length);
  let running = 0;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const child: ChildProcess = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      let current: CellSpec | undefined;
      const next = () => {
        current = queue.shift();
        if (!current) {
          child.send({ kind: 'stop' } satisfies ToWorker);
          return;
        }
        running++;
        child.send({ kind: 'cell', spec: current } satisfies ToWorker);
      };
      child.on('message', (message: FromWorker) => {
        if (message.kind === 'ready') next();
        if (message.kind === 'done' && current) {
          running--;
          onDone(current, message.status, message.reason, running);
          next();
        }
      });
      child.on('exit', (code) => {
        if (current && code !== 0) {
          running--;
          onDone(current, 'failed', `worker exited with code ${code}`, running);
          current = undefined;
        }
        code === 0 ? resolve() : reject(new Error(`worker exited with code ${code}`));
      });
      child.send({ kind: 'init', backend: options.backend, plugins: options.plugins, dataDir: options.dataDir, out: options.out } satisfies ToWorker);
    });
  const results = await Promise.allSettled(Array.from({ length: count }, runWorker));
  const crashed = results.find((r) => r.status === 'rejected');
  if (crashed && crashed.status === 'rejected') options.log(`a worker crashed: ${String(crashed.reason)}`);
}
