/**
 * A claimed cell from start to stored result, the same in a worker process and in the runner itself: run it, write its
 * result file atomically, release its claim. A finished cell's trained agent is written atomically to
 * `cells/<cellId>.weights.json` as training ends (`onTrained`), so before the result. It never throws: a result that
 * cannot be written (a full disk) becomes a failed outcome naming the path, so the runner goes on with the other cells;
 * weights that cannot be written fail the cell (its result says why).
 */
import type { CellResult, CellSpec } from '../../contracts/types.ts';
import { runCell } from './cell.ts';
import { releaseClaim } from './claims.ts';
import { keepPoliciesIn } from './policy-file.ts';
import { writeCellResult } from './store.ts';

/** How a cell ended, as the summary prints it. */
export interface CellOutcome {
  status: CellResult['status'];
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

export async function runClaimedCell(job: CellJob, context: { out: string; dataDir: string }): Promise<CellOutcome> {
  try {
    const result = await runCell(job.spec, { dataDir: context.dataDir, onTrained: keepPoliciesIn(context.out) });
    try {
      writeCellResult(context.out, result);
    } catch (error) {
      return { status: 'failed', reason: (error as Error).message };
    }
    return outcomeOf(result);
  } finally {
    releaseClaim(job.claim);
  }
}
