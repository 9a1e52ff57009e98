/**
 * Where a report's numbers come from: the runtimes its cells ran on (backend, versions, the checkout's commit, host),
 * the matrix spec the run folder keeps (`matrix.json`, written by `matrix run`), and the report's own version and commit.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { harnessVersion } from '../data/card.ts';
import { readTextFile } from '../files.ts';
import { gitCommit } from '../git.ts';
import { groupBy, type LabelledCell } from './cells.ts';
import type { Table } from './table.ts';

/** One row per distinct runtime, with how many cells ran on it and when the first and the last of them started. */
export function runtimesTable(cells: readonly LabelledCell[]): Table {
  const runtimeKeys = ({ cell }: LabelledCell) => {
    const { backend, tfjsVersion, nodeVersion, harnessVersion: version, gitCommit: commit, host } = cell.runtime;
    return [backend, tfjsVersion, nodeVersion, version, commit ?? 'not recorded', `${host.cores} cores ${host.platform}/${host.arch}`];
  };
  const groups = groupBy(cells, (entry) => JSON.stringify(runtimeKeys(entry)));
  return {
    caption: 'Runtimes the cells ran on (from their result files): tfjs backend, versions, the checkout\u2019s git commit (-dirty: uncommitted changes), host.',
    keyHeaders: ['Backend', 'tfjs', 'Node', 'om2p-bench', 'Git commit', 'Host'],
    valueHeaders: ['Cells', 'Started (first – last, UTC)'],
    rows: [...groups.values()].map((members) => {
      const started = members.map(({ cell }) => cell.startedAt).sort();
      const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');
      return { keys: runtimeKeys(members[0]), cells: [{ text: String(members.length) }, { text: `${day(started[0])} – ${day(started[started.length - 1])}` }] };
    }),
  };
}

/** The run folder's `matrix.json` as written, or undefined when the cells came from elsewhere (`train`, copied files). */
export function matrixSpecText(dir: string): string | undefined {
  const path = join(dir, 'matrix.json');
  return existsSync(path) ? readTextFile(path, 'matrix spec') : undefined;
}

/** The version and commit of the harness writing the report. */
export function reportOrigin(): string {
  return `om2p-bench ${harnessVersion()}, commit ${gitCommit() ?? 'unknown (not a git checkout)'}`;
}
