/**
 * Validation of result, spec and dataset files against `schemas/`. Which schema applies is decided by the file:
 * `card.json` → dataset card; `<cellId>.safetensors` → trained agent (the safetensors layout, then its `__metadata__`
 * against `om2p-bench/policy-metadata`); `<cellId>.weights.json` → trained agent in the JSON format of before; a JSON object
 * with `cellId` → cell result; with `algorithms` and `seeds` → matrix spec; `<name>.csv` → the row schema
 * `om2p-bench/csv/<name>` applied to every row.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError, DataShapeError, type InvalidJsonError } from '../../contracts/errors.ts';
import { filesUnder, parseJson, readTextFile } from '../files.ts';
import { decodePolicy, LEGACY_POLICY_SCHEMA } from '../run/policy-file.ts';
import { ajv, validationErrors, type ValidationIssue } from '../schema.ts';

export interface FileIssue extends ValidationIssue {
  file: string;
}

/** The schema id for a JSON document, or undefined when the harness has none for it. */
export function schemaForJson(file: string, value: unknown): string | undefined {
  if (basename(file) === 'card.json') return 'om2p-bench/dataset-card';
  if (basename(file).endsWith('.weights.json')) return LEGACY_POLICY_SCHEMA;
  if (typeof value !== 'object' || value === null) return undefined;
  if ('cellId' in value) return 'om2p-bench/cell-result';
  if ('algorithms' in value && 'seeds' in value) return 'om2p-bench/matrix-spec';
  return undefined;
}

/**
 * Parses a CSV (header row) into row objects; empty cells are dropped (absent fields). Only the columns in `numeric` are cast
 * to numbers (those the row schema `schemaId` declares numeric), so a string column that happens to look numeric (a hex cell id such as `1234e567…`) stays a string.
 */
export function parseCsvRows(text: string, schemaId: string): Record<string, unknown>[] {
  const numeric = numericColumns(schemaId);
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row)
        .filter(([, v]) => v !== '')
        .map(([k, v]) => [k, numeric.has(k) && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v]),
    ),
  );
}

/** Columns a row schema declares as `number` or `integer`. */
function numericColumns(id: string): Set<string> {
  const schema = ajv().getSchema(id)?.schema as { properties?: Record<string, { type?: string }> } | undefined;
  return new Set(
    Object.entries(schema?.properties ?? {})
      .filter(([, p]) => p.type === 'number' || p.type === 'integer')
      .map(([k]) => k),
  );
}

/** Problems of one file; a file the harness has no schema for is itself a problem. */
export function validateFile(file: string): FileIssue[] {
  if (extname(file) === '.safetensors') return policyIssues(file);
  const text = readTextFile(file);
  const at = (issues: ValidationIssue[]) => issues.map((issue) => ({ file, ...issue }));
  if (extname(file) === '.csv') {
    const id = `om2p-bench/csv/${basename(file, '.csv')}`;
    if (!ajv().getSchema(id)) return [{ file, path: '', reason: `no row schema ${id}` }];
    return parseCsvRows(text, id).flatMap((row, k) =>
      at(validationErrors(id, row).map((issue) => ({ ...issue, path: `/${k}${issue.path}` }))),
    );
  }
  let value: unknown;
  try {
    value = parseJson(text, file);
  } catch (error) {
    return [{ file, path: '', reason: `not valid JSON: ${(error as InvalidJsonError).reason}` }];
  }
  const id = schemaForJson(file, value);
  if (!id) return [{ file, path: '', reason: 'no schema applies to this file' }];
  return at(validationErrors(id, value));
}

/** The first problem of a kept agent's safetensors file: its layout, then its metadata (decoding stops at the first). */
function policyIssues(file: string): FileIssue[] {
  try {
    decodePolicy(readFileSync(file), file);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [{ file, path: error.path, reason: error.reason }];
    if (error instanceof DataShapeError) return [{ file, path: '', reason: error.reason }];
    throw error;
  }
}

/** Files under `path` that validation looks at: `.json`, `.csv` and `.safetensors`, recursively. */
export function validatableFiles(path: string): string[] {
  return filesUnder(path, (name) => ['.json', '.csv', '.safetensors'].includes(extname(name)));
}
