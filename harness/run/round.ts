/**
 * One round of `matrix run`: the cells that were unfinished when this runner started, shared through claims with any
 * other runners on the same output folder. `next(pid)` hands out the next cell in spec order that this runner claimed,
 * skipping cells another runner has handled since the round began; when every remaining cell is claimed by a live
 * runner, it waits (polling) until a claim is released or its owner is gone, so a runner ends only when the whole round
 * has ended. Outcomes of other runners' cells are read back from their result files: every runner of a round, and a
 * single runner, report the same.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeOwner } from '../owner.ts';
import type { CellResult, CellSpec } from '../../contracts/types.ts';
import { failedResult } from './cell.ts';
import { outcomeOf, type CellJob, type CellOutcome } from './cell-job.ts';
import { releaseClaim, tryClaim, type Claim, type ClaimOptions } from '../claims.ts';
import { cellId } from './expand.ts';
import { cellPath, corruptWarning, isFinished, readCellOrSetAside, writeCellResult } from './store.ts';

export interface RoundOptions extends ClaimOptions {
  out: string;
  claims: string;
  /** How long a runner waiting for other runners' cells sleeps between looks. */
  pollMs: number;
  /** Called for a cell another runner handled (for progress). */
  onHandledElsewhere?: (spec: CellSpec) => void;
}

export class Round {
  readonly cells: readonly CellSpec[];
  readonly #options: RoundOptions;
  /** Cells nobody here has taken yet, in spec order. */
  #pending: CellSpec[];
  /** `startedAt` of each cell's result file when the round began (a failed result), to tell a newer one. */
  readonly #startedAtBefore: Map<string, string | undefined>;
  /** Outcomes of the cells this runner ran. */
  readonly #outcomes = new Map<string, CellOutcome>();
  #waitingFor = '';

  constructor(cells: CellSpec[], existing: Map<string, CellResult>, options: RoundOptions) {
    this.cells = cells;
    this.#pending = [...cells];
    this.#options = options;
    this.#startedAtBefore = new Map(cells.map((c) => [cellId(c), existing.get(cellId(c))?.startedAt]));
  }

  /** The next cell claimed for process `pid`, or undefined when every cell of the round is handled. */
  async next(pid: number): Promise<CellJob | undefined> {
    for (;;) {
      const holders: Claim[] = [];
      for (const spec of [...this.#pending]) {
        const attempt = tryClaim(this.#options.claims, cellId(spec), pid, this.#options);
        if (!attempt.claimed) {
          holders.push(attempt.holder);
          continue;
        }
        this.#pending = this.#pending.filter((s) => s !== spec);
        if (!this.#handledElsewhere(spec)) return { spec, claim: attempt.path };
        releaseClaim(attempt.path);
        this.#options.onHandledElsewhere?.(spec);
      }
      if (this.#pending.length === 0) return undefined;
      this.#announceWait(holders);
      await sleep(this.#options.pollMs);
    }
  }

  /** Hands a cell out again: its runner lost the claim, so it is another runner's now, and `next` waits for that one's result. */
  requeue(spec: CellSpec): void {
    this.#pending.push(spec);
  }

  record(spec: CellSpec, outcome: CellOutcome): void {
    this.#outcomes.set(cellId(spec), outcome);
  }

  /**
   * A cell whose worker process died: its result if the worker wrote one before dying, else a failed result saying how
   * the worker ended (written, so other runners see the cell handled). Releases the claim the worker could not.
   */
  settleCrashed(job: CellJob, startedAt: string, wallMs: number, how: string): CellOutcome {
    try {
      const written = readCellOrSetAside(cellPath(this.#options.out, cellId(job.spec))).result;
      if (written && this.#isNewer(job.spec, written)) return outcomeOf(written);
      const result = failedResult(job.spec, startedAt, how, wallMs);
      try {
        writeCellResult(this.#options.out, result);
      } catch (error) {
        return { status: 'failed', reason: `${how}; ${(error as Error).message}` };
      }
      return outcomeOf(result);
    } finally {
      releaseClaim(job.claim);
    }
  }

  /** Every cell of the round that did not finish as `done`, in spec order, whichever runner ran it. */
  unfinished(): { spec: CellSpec; outcome: CellOutcome }[] {
    return this.cells
      .map((spec) => ({ spec, outcome: this.#outcomes.get(cellId(spec)) ?? this.#outcomeOnDisk(spec) }))
      .filter(({ outcome }) => outcome.status !== 'done');
  }

  #outcomeOnDisk(spec: CellSpec): CellOutcome {
    const result = readCellOrSetAside(cellPath(this.#options.out, cellId(spec))).result;
    return result ? outcomeOf(result) : { status: 'failed', reason: 'no result file (the runner that took this cell could not write one)' };
  }

  /** Whether another runner finished the cell, or ran it in this round, since the round began. */
  #handledElsewhere(spec: CellSpec): boolean {
    const read = readCellOrSetAside(cellPath(this.#options.out, cellId(spec)));
    if (read.corrupt) this.#options.log(corruptWarning(read.corrupt, 'its cell will be run again'));
    return read.result !== undefined && (isFinished(read.result) || this.#isNewer(spec, read.result));
  }

  #isNewer(spec: CellSpec, result: CellResult): boolean {
    return result.startedAt !== this.#startedAtBefore.get(cellId(spec));
  }

  #announceWait(holders: Claim[]): void {
    const owners = [...new Set(holders.map(describeOwner))].sort().join(', ');
    const line = `waiting for ${this.#pending.length} cell(s) claimed by other runners (${owners})`;
    if (line !== this.#waitingFor) this.#options.log(line);
    this.#waitingFor = line;
  }
}
