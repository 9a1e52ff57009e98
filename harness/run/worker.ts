/**
 * A worker process of the matrix scheduler: picks the backend once, then runs the cells it is sent, one at a time,
 * writing each result file itself and reporting back over IPC.
 */
import { initBackend } from '../backend.ts';
import { loadPlugin } from '../registry.ts';
import type { CellSpec } from '../types.ts';
import { runCell } from './cell.ts';
import { keepPoliciesIn } from './policy-file.ts';
import { writeCellResult } from './store.ts';

export interface WorkerInit {
  kind: 'init';
  backend?: string;
  plugins: string[];
  dataDir: string;
  out: string;
}
export interface WorkerCell {
  kind: 'cell';
  spec: CellSpec;
}
export type ToWorker = WorkerInit | WorkerCell | { kind: 'stop' };
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'done'; cellId: string; status: string; reason?: string }
  | { kind: 'eval'; cellId: string; update: number };

let init: WorkerInit | undefined;
const send = (message: FromWorker) => process.send?.(message);

process.on('message', async (message: ToWorker) => {
  if (message.kind === 'stop') process.exit(0);
  if (message.kind === 'init') {
    init = message;
    await initBackend(message.backend, () => undefined);
    for (const plugin of message.plugins) await loadPlugin(plugin);
    send({ kind: 'ready' });
    return;
  }
  if (!init) throw new Error('worker received a cell before init');
  const result = await runCell(message.spec, { dataDir: init.dataDir, onTrained: keepPoliciesIn(init.out) });
  writeCellResult(init.out, result);
  const reason = result.status === 'failed' ? result.error : result.status === 'diverged' ? `${result.lossName} non-finite at update ${result.step}` : undefined;
  send({ kind: 'done', cellId: result.cellId, status: result.status, reason });
});
