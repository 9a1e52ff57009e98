/**
 * JSON Schema validation (2020-12, ajv). Every schema in `schemas/` is loaded once; `validateOrThrow` turns the
 * first error into a ConfigError naming the field, `validationErrors` lists all of them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError } from '../contracts/errors.ts';
import { SCHEMA_DIR } from '../contracts/package-files.ts';
import type { JsonSchema } from '../contracts/types.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;


let ajvInstance: Ajv2020 | undefined;

/** The shared ajv instance with every schema of `schemas/` registered under its `$id`. */
export function ajv(): Ajv2020 {
  if (ajvInstance) return ajvInstance;
  const instance = new Ajv2020({ allErrors: true, strict: true, useDefaults: false });
  addFormats(instance);
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort()) {
    instance.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as JsonSchema);
  }
  ajvInstance = instance;
  return instance;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles (once) a schema given inline or by `$id` (e.g. `om2p-bench/cell-result`). */
export function validator(schema: JsonSchema | string): ValidateFunction {
  if (typeof schema === 'string') {
    const fn = ajv().getSchema(schema);
    if (!fn) throw new Error(`unknown schema ${schema}`);
    return fn;
  }
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv().compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

export interface ValidationIssue {
  /** JSON pointer of the offending value ('' is the root). */
  path: string;
  reason: string;
}

function describe(error: ErrorObject): ValidationIssue {
  const extra = error.params as Record<string, unknown>;
  let path = error.instancePath;
  let reason = error.message ?? 'invalid';
  if (error.keyword === 'additionalProperties') {
    path = `${path}/${String(extra.additionalProperty)}`;
    reason = 'unknown key';
  } else if (error.keyword === 'required') {
    path = `${path}/${String(extra.missingProperty)}`;
    reason = 'is required';
  } else if (error.keyword === 'enum') {
    reason = `must be one of ${JSON.stringify(extra.allowedValues)}`;
  }
  return { path, reason };
}

/** All problems of `value` against `schema`; empty when valid. */
export function validationErrors(schema: JsonSchema | string, value: unknown): ValidationIssue[] {
  const fn = validator(schema);
  return fn(value) ? [] : (fn.errors ?? []).map(describe);
}

/** Throws a ConfigError for the first problem; `source` names the file or option group in the message. */
export function validateOrThrow<T>(schema: JsonSchema | string, value: unknown, source?: string): T {
  const issues = validationErrors(schema, value);
  if (issues.length > 0) throw new ConfigError(issues[0].path, issues[0].reason, source);
  return value as T;
}
