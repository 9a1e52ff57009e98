/** The EnvSpec of a registered environment for given options: defaults merged, options validated, one copy built. */
import type { EnvSpec } from '../types.ts';
import { getEnvironment } from '../registry.ts';
import { validateOrThrow } from '../schema.ts';

export interface ResolvedEnv {
  spec: EnvSpec;
  /** The environment's defaults with `options` merged over them (what a card records). */
  options: Record<string, unknown>;
}

/** Builds one copy of environment `name` to read its spec, then frees it. Bad options throw a ConfigError naming the field. */
export async function resolveEnvSpec(name: string, options: Record<string, unknown> = {}): Promise<ResolvedEnv> {
  const def = getEnvironment(name);
  const merged = validateOrThrow<Record<string, unknown>>(def.schema, { ...def.defaults, ...options }, `options of ${name}`);
  const env = await def.create(merged, 1);
  try {
    return { spec: env.spec, options: merged };
  } finally {
    env.dispose();
  }
}
