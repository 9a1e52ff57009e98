/**
 * A claimed cell from start to stored result, the same in a worker process and in the runner itself: run it while
 * keeping its claim fresh (`heartbeat`), write its result file atomically, release its claim. A finished cell's trained
 * agent is written atomically to `cells/<cellId>.safetensors` as training ends (`onTrained`), so before the result. It
 * never throws: a result that cannot be written (a full disk) becomes a failed outcome naming the path, so the runner
 * goes on with the other cells; weights that cannot be written fail the cell (its result says why).
 *
 * A runner whose claim was taken over (it looked abandoned to another host: no heartbeat for minutes) stops the cell at
 * its next evaluation point and writes neither weights nor result, so the new owner's files are never overwritten; its
 * outcome is `taken-over` and the runner waits for the new owner's result like any other runner's. (Between the last
 * check and the write there remains a window of one file write; both runs have the same seed, so the file holds the
 * same result either way.)
 */
import type { CellResult, CellSpec, EvalPoint } from '../../contracts/types.ts';
import { runCell } from './cell.ts';
import { heartbeat, releaseClaim } from '../claims.ts';
import { cellId } from './expand.ts';
import { keepPoliciesIn } from './policy-file.ts';
import { writeCellResult } from './store.ts';

/** How a cell ended, as the summary prints it; `taken-over`: another runner took the cell's claim, and will store its result. */
export interface CellOutcome {
  status: CellResult['status'] | 'taken-over';
  /** Why it did not finish (failed, diverged). */
  reason?: string;
}

export function outcomeOf(result: CellResult): CellOutcome {
  if (result.status === 'failed') return { status: 'failed', reason: result.error };
  if (result.status === 'diverged') return { status: 'diverged', reason: `${result.lossName} non-finite at update ${result.step}` };
  return { status: 'done' };
}

export interface CellJob {
  spec: CellSpec;
  /** The claim file this runner holds for the cell. */
  claim: string;
}

export interface CellJobContext {
  out: string;
  dataDir: string;
  /** Where one line per evaluation point goes (off a terminal, where no progress bar shows the runner is alive). */
  log?: (line: string) => void;
}

export async function runClaimedCell(job: CellJob, context: CellJobContext): Promise<CellOutcome> {
  const claim = heartbeat(job.claim);
  const keep = keepPoliciesIn(context.out);
  const takenOver = { status: 'taken-over', reason: `its claim ${job.claim} was taken over by another runner` } as const;
  try {
    const result = await runCell(job.spec, {
      dataDir: context.dataDir,
      onUpdate: claim.beat,
      onEval: (point) => {
        claim.beat();
        if (!claim.held()) throw new Error(takenOver.reason);
        context.log?.(evalLine(job.spec, point));
      },
      onTrained: (policy) => {
        if (claim.held()) keep(policy);
      },
    });
    // the last refresh may be up to a heartbeat old
    claim.refresh();
    if (!claim.held()) return takenOver;
    try {
      writeCellResult(context.out, result);
    } catch (error) {
      return { status: 'failed', reason: (error as Error).message };
    }
    return outcomeOf(result);
  } finally {
    claim.stop();
    // a lost claim's file is not ours to remove (see claims.ts)
    if (claim.held()) releaseClaim(job.claim);
  }
}

/** `cell 3f2a… om2p simple_spread expert seed 0: update 20/40, return -61.2 (normalised 48.1)`. */
export function evalLine(spec: CellSpec, point: EvalPoint): string {
  return `cell ${cellId(spec)} ${spec.algorithm} ${spec.env} ${spec.dataset} seed ${spec.seed}: update ${point.update}/${spec.budget.updates}, return ${point.returnMean.toFixed(1)} (normalised ${point.normalised.toFixed(1)})`;
}
