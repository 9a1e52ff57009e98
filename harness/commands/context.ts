/** Shared start-up for commands: global options, backend and plugins. */
import type { Command } from 'commander';
import { initBackend, type BackendName } from '../backend.ts';
import { loadPlugin } from '../registry.ts';

export interface GlobalOptions {
  backend?: string;
  webgpuAdapter?: string;
  webgpuFlag?: string[];
  plugin?: string[];
  dataDir?: string;
}

/** The global options as seen from any subcommand. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** Chooses the backend and loads plugins; commands that run tensors call this first. */
export async function prepare(command: Command): Promise<{ backend: BackendName; options: GlobalOptions }> {
  const options = globalOptions(command);
  // Through the environment, so that every process and thread the command starts opens the same adapter.
  if (options.webgpuAdapter !== undefined) process.env.OM2P_WEBGPU_ADAPTER = options.webgpuAdapter;
  if (options.webgpuFlag !== undefined) process.env.OM2P_WEBGPU_FLAGS = options.webgpuFlag.join(' ');
  const backend = await initBackend(options.backend);
  for (const path of options.plugin ?? []) await loadPlugin(path);
  return { backend, options };
}

/** Loads plugins only (for commands that list or validate without computing). */
export async function loadPlugins(command: Command): Promise<GlobalOptions> {
  const options = globalOptions(command);
  for (const path of options.plugin ?? []) await loadPlugin(path);
  return options;
}
