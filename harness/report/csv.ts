/**
 * CSV writing: every row is validated against its row schema `om2p-bench/csv/<name>` (schemas/csv-<name>.schema.json)
 * before the file is written, so an invalid table never reaches disk. The schema's `properties` order is the
 * column order, so a column is declared in exactly one place.
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { validateOrThrow, validator } from '../schema.ts';

/** A CSV row; `undefined` values are written as empty cells (absent fields when read back). */
export type CsvRow = Record<string, string | number | undefined>;

/** Validates every row of `<name>.csv`, then writes `path`; throws a ConfigError naming the row and column otherwise. */
export function writeCsv(path: string, name: string, rows: readonly CsvRow[]): void {
  const schemaId = `om2p-bench/csv/${name}`;
  rows.forEach((row, k) => validateOrThrow(schemaId, withoutUndefined(row), `${name}.csv row ${k + 1}`));
  const columns = Object.keys((validator(schemaId).schema as { properties: Record<string, unknown> }).properties);
  writeFileSync(path, stringify(rows as CsvRow[], { header: true, columns }));
}

function withoutUndefined(row: CsvRow): CsvRow {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined));
}
