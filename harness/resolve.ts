/** Options in, resolved options out: algorithm configs and environment options, validated in one place. */
import { getAlgorithm, getEnvironment } from './registry.ts';
import { validateOrThrow } from './schema.ts';
import type { AlgorithmDef, EnvironmentDef, SizePreset } from '../contracts/types.ts';
import { contentHash } from './canonical.ts';

/** defaults ← preset ← overrides, validated against the algorithm's schema (an unknown key is an error naming it). */
export function resolveAlgorithmConfig(
  name: string,
  preset: SizePreset,
  overrides: Record<string, unknown>,
): { def: AlgorithmDef<any>; config: Record<string, unknown>; configHash: string } {
  const def = getAlgorithm(name);
  const config = { ...def.defaults, ...def.presets[preset], ...overrides };
  validateOrThrow(def.schema, config, `config of ${name}`);
  return { def, config, configHash: contentHash(config) };
}

export function resolveEnvOptions(name: string, options: Record<string, unknown>): { def: EnvironmentDef<any>; options: Record<string, unknown> } {
  const def = getEnvironment(name);
  const resolved = { ...def.defaults, ...options };
  validateOrThrow(def.schema, resolved, `options of ${name}`);
  return { def, options: resolved };
}

/** Parses `key=value` overrides (`--set eta=0.1`, `--option numAgents=4`): values are JSON when they parse, else strings. */
export function parseAssignments(pairs: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`expected key=value, got '${pair}'`);
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare string such as `fd` or `logitNormal`
    }
    out[pair.slice(0, at)] = value;
  }
  return out;
}
