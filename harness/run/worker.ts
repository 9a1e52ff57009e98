/**
 * A worker process of the matrix scheduler: picks the backend once, then runs the claimed cells it is sent, one at a
 * time, writing each finished cell's weights and then its result file and releasing its claim itself (so a result is
 * stored even if the runner that sent the cell dies meanwhile), and reports the outcome over IPC.
 */
import { initBackend } from '../backend.ts';
import { loadPlugin } from '../registry.ts';
import { runClaimedCell, type CellJob, type CellOutcome } from './cell-job.ts';

export interface WorkerInit {
  kind: 'init';
  backend?: string;
  plugins: string[];
  dataDir: string;
  out: string;
  /** Write a line per evaluation point to stderr (shared with the runner's): off a terminal, where no bar shows progress. */
  evalLines: boolean;
}
export interface WorkerCell {
  kind: 'cell';
  job: CellJob;
}
export type ToWorker = WorkerInit | WorkerCell | { kind: 'stop' };
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'init-failed'; reason: string }
  | { kind: 'done'; outcome: CellOutcome };

let init: WorkerInit | undefined;
const send = (message: FromWorker, then?: () => void) => process.send?.(message, undefined, undefined, then);

process.on('message', async (message: ToWorker) => {
  if (message.kind === 'stop') process.exit(0);
  if (message.kind === 'init') {
    init = message;
    try {
      await initBackend(message.backend, () => undefined);
      for (const plugin of message.plugins) await loadPlugin(plugin);
    } catch (error) {
      send({ kind: 'init-failed', reason: (error as Error).message }, () => process.exit(1));
      return;
    }
    send({ kind: 'ready' });
    return;
  }
  if (!init) throw new Error('worker received a cell before init');
  const log = init.evalLines ? (line: string) => process.stderr.write(`${line}\n`) : undefined;
  send({ kind: 'done', outcome: await runClaimedCell(message.job, { out: init.out, dataDir: init.dataDir, log }) });
});
