/** The EnvSpec of a registered environment for given options: one copy is built to read it, then freed. */
import type { EnvSpec } from '../../contracts/types.ts';
import { resolveEnvOptions } from '../resolve.ts';

export interface ResolvedEnv {
  spec: EnvSpec;
  /** The environment's defaults with the given options merged over them (what a card records). */
  options: Record<string, unknown>;
}

/** Resolves and validates `options` (a bad one throws a ConfigError naming it), builds one copy, returns its spec. */
export async function resolveEnvSpec(name: string, options: Record<string, unknown> = {}): Promise<ResolvedEnv> {
  const { def, options: resolved } = resolveEnvOptions(name, options);
  const env = await def.create(resolved, 1);
  try {
    return { spec: env.spec, options: resolved };
  } finally {
    env.dispose();
  }
}
