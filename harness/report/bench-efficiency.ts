/**
 * The `bench algos` table in a report. `bench algos --out <dir>` writes `efficiency.csv`; the report shows it when the
 * results folder holds one (`bench algos --out runs/quick`) or when `--efficiency <file>` names one, rendered by the
 * same table model `bench algos` writes its Markdown and LaTeX with. The CSV does not keep the host's load average, so
 * the rebuilt caption leaves it out.
 */
import { ConfigError } from '../../contracts/errors.ts';
import { readTextFile } from '../files.ts';
import { efficiencyTable } from './algos-output.ts';
import type { EfficiencyRow } from '../measure/algos.ts';
import { validationErrors } from '../schema.ts';
import { parseCsvRows } from './validate.ts';
import type { Table } from './table.ts';

const SCHEMA = 'om2p-bench/csv/efficiency';

/** Reads and validates `path`; a missing file is "no such file: <path>", a bad row an error naming the file, the row and the column. */
export function benchEfficiencyTable(path: string): Table {
  const rows = parseCsvRows(readTextFile(path, 'efficiency table'), SCHEMA);
  rows.forEach((row, k) => {
    const [issue] = validationErrors(SCHEMA, row);
    if (issue) throw new ConfigError(`row ${k + 1}${issue.path}`, issue.reason, path);
  });
  const measured = rows as unknown as EfficiencyRow[];
  const first = measured[0];
  if (!first) throw new ConfigError('', 'has no rows', path);
  const runtime = {
    backend: first.backend,
    tfjsVersion: first.tfjsVersion,
    nodeVersion: first.nodeVersion,
    harnessVersion: first.harnessVersion,
    host: { cores: first.hostCores, platform: first.hostPlatform, arch: first.hostArch },
  };
  return efficiencyTable(measured, { runtime, updates: first.updateSamples });
}
