/**
 * The worker processes of `matrix run --workers N` (wasm threads do not work in Node, so parallelism is one process per
 * cell): each pulls claimed cells from the round one at a time. A worker that dies mid-cell (killed, out of memory) has
 * that cell settled as failed and is replaced, so the other cells go on.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { CHILD_EXEC_ARGV, entryPath } from '../../contracts/package-files.ts';
import type { CellSpec } from '../../contracts/types.ts';
import type { CellJob, CellOutcome } from './cell-job.ts';
import type { Round } from './round.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker.ts';


export type PoolOptions = Omit<WorkerInit, 'kind'> & { workers: number };

/** Progress callbacks: a cell was sent to a worker; a cell ended. */
export interface PoolEvents {
  onStart(): void;
  onDone(spec: CellSpec, outcome: CellOutcome): void;
}

/** Runs the round in `options.workers` processes; resolves when the round has ended. A worker that cannot start is an error. */
export async function runInWorkers(round: Round, options: PoolOptions, events: PoolEvents): Promise<void> {
  const slots = Array.from({ length: Math.min(options.workers, round.cells.length) }, () => workerSlot(round, options, events));
  const failure = (await Promise.allSettled(slots)).find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
}

/** One worker at a time in this slot: it serves cells until the round ends, and is replaced when it dies. */
async function workerSlot(round: Round, options: PoolOptions, { onStart, onDone }: PoolEvents): Promise<void> {
  for (;;) {
    const worker = await startWorker(options);
    for (;;) {
      const job = await round.next(worker.pid);
      if (!job) return worker.stop();
      onStart();
      const startedAt = new Date().toISOString();
      const t0 = performance.now();
      const outcome = await worker.run(job);
      if (outcome) {
        onDone(job.spec, outcome);
        continue;
      }
      onDone(job.spec, round.settleCrashed(job, startedAt, performance.now() - t0, `worker process ${worker.pid} ${worker.ending()} while running this cell`));
      break;
    }
  }
}

interface Worker {
  pid: number;
  /** The cell's outcome, or undefined when the worker died running it. */
  run(job: CellJob): Promise<CellOutcome | undefined>;
  stop(): Promise<void>;
  /** How the process ended ("was killed by SIGKILL", "exited with code 1"). */
  ending(): string;
}

function startWorker(options: PoolOptions): Promise<Worker> {
  const child: ChildProcess = fork(entryPath('cell-worker'), [], { execArgv: [...CHILD_EXEC_ARGV], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let ending = 'is running';
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      ending = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve();
    }),
  );
  // A message to a worker that has just died fails; its exit is what reports it.
  child.on('error', () => undefined);
  let onMessage: (message: FromWorker) => void = () => undefined;
  child.on('message', (message: FromWorker) => onMessage(message));
  const send = (message: ToWorker) => child.send(message);
  const worker: Worker = {
    pid: child.pid!,
    run: (job) =>
      new Promise((resolve) => {
        onMessage = (message) => message.kind === 'done' && resolve(message.outcome);
        void exited.then(() => resolve(undefined));
        send({ kind: 'cell', job });
      }),
    stop: async () => {
      send({ kind: 'stop' });
      await exited;
    },
    ending: () => ending,
  };
  return new Promise((resolve, reject) => {
    onMessage = (message) => {
      if (message.kind === 'ready') resolve(worker);
      if (message.kind === 'init-failed') reject(new Error(`a worker process could not start: ${message.reason}`));
    };
    void exited.then(() => reject(new Error(`worker process ${child.pid} ${ending} before it was ready`)));
    send({ kind: 'init', backend: options.backend, plugins: options.plugins, dataDir: options.dataDir, out: options.out, evalLines: options.evalLines });
  });
}
