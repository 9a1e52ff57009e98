/**
 * The CLI's one progress bar (cli-progress, on stderr) for long loops with a known total: matrix cells, the dataset
 * builder's MATD3 updates. A bar only makes sense on a terminal; elsewhere (CI logs, `--no-progress`) callers log one line
 * per step instead.
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
