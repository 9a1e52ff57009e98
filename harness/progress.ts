/**
 * The CLI's one progress bar (cli-progress, on stderr) for long loops with a known total: matrix cells, the dataset
 * builder's MATD3 updates. A bar only makes sense on a terminal; elsewhere (CI logs, Slurm output files, `--no-progress`)
 * callers log one line per step instead (`progressLine`).
 */
import cliProgress from 'cli-progress';

export interface ProgressBarOptions {
  /** cli-progress format: `{bar}`, `{value}`, `{total}`, `{eta_formatted}` and the payload's fields by name. */
  format: string;
  total: number;
  /** Initial values of the format's own fields. */
  payload?: Record<string, unknown>;
  /** How many of the latest `update` calls the ETA's rate is measured over. @default 5 */
  etaBuffer?: number;
}

/** Whether to draw a bar: asked for (`--progress`, on by default) and stderr is a terminal. */
export function wantsProgressBar(requested: boolean): boolean {
  return requested && process.stderr.isTTY === true;
}

/** Starts a bar at 0 on stderr; the caller updates and stops it. */
export function progressBar({ format, total, payload = {}, etaBuffer = 5 }: ProgressBarOptions): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar({ format, etaBuffer, stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, payload);
  return bar;
}

/**
 * Off a terminal (where no bar draws), how far a loop of `total` steps is: `3 of 8 cells done, ETA 4 min 10 s`. The ETA
 * is the mean rate so far (`elapsedMs` over `done` steps) applied to the steps left; unknown before the first step.
 */
export function progressLine(steps: string, done: number, total: number, elapsedMs: number): string {
  const line = `${done} of ${total} ${steps} done`;
  if (done >= total) return line;
  return `${line}, ETA ${done === 0 ? 'unknown' : formatDuration((elapsedMs / done) * (total - done))}`;
}

/** `2 h 05 min`, `4 min 10 s`, `12 s`: a duration rounded to the second, its two largest units. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}
