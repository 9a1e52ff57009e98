/**
 * Picks the tfjs backend once per process: tensorflow-gpu > tensorflow > wasm > cpu (docs/design.md "Compute backend").
 * `--backend <name>` or `OM2P_BACKEND` forces one. An optional backend that is not installed is skipped quietly (`info`
 * lists it with the reason); a forced one that fails to load is an error.
 * `webgpu` (tfjs' WebGPU backend on Dawn) is never picked unless asked for: on a machine without a GPU it would run on a
 * CPU rasteriser, far slower than wasm. Its adapter comes from `OM2P_WEBGPU_ADAPTER` and `OM2P_WEBGPU_FLAGS` (the CLI's
 * `--webgpu-adapter` and `--webgpu-flag` set them, so matrix workers and MATD3's threads open the same adapter).
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { describeAdapter, registerWebgpu, webgpuAdapter, type WebgpuAdapterChoice } from './webgpu.ts';
import { gitCommit } from './git.ts';
import { PACKAGE_JSON, tfjsWasmPrefix } from '../contracts/package-files.ts';
import type { RunEnvironment } from '../contracts/types.ts';

export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Tried in this order when no backend is asked for. */
const AUTOMATIC: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** How each candidate is loaded: import the package that registers it, then the tfjs backend name it registers. */
const loaders: Record<BackendName, { tfName: string; load: (notice: (line: string) => void) => Promise<unknown> }> = {
  'tensorflow-gpu': { tfName: 'tensorflow', load: () => import(/* optional */ '@tensorflow/tfjs-node-gpu' as string) },
  tensorflow: { tfName: 'tensorflow', load: () => import(/* optional */ '@tensorflow/tfjs-node' as string) },
  wasm: {
    tfName: 'wasm',
    load: async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // bundled, its binaries are not beside the module (package-files.ts); in a checkout the package finds its own
      const prefix = tfjsWasmPrefix();
      if (prefix !== undefined) wasm.setWasmPaths(prefix);
    },
  },
  cpu: { tfName: 'cpu', load: async () => undefined },
  webgpu: {
    tfName: 'webgpu',
    load: async (notice) => notice(`webgpu adapter: ${describeAdapter(await registerWebgpu(webgpuOptionsFromEnv(), notice))}`),
  },
};

/** The WebGPU adapter choice and Dawn flags from the environment (`OM2P_WEBGPU_FLAGS`: flags separated by spaces). */
function webgpuOptionsFromEnv(): { adapter: WebgpuAdapterChoice; dawnFlags: string[] } {
  const adapter = (process.env.OM2P_WEBGPU_ADAPTER || 'auto') as WebgpuAdapterChoice;
  const dawnFlags = (process.env.OM2P_WEBGPU_FLAGS ?? '').split(/\s+/).filter((f) => f);
  return { adapter, dawnFlags };
}

let chosen: BackendName | undefined;
/** Backends tried before the chosen one, with the reason each did not load. */
const skipped: { name: BackendName; reason: string }[] = [];

export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/**
 * Initialises the backend (idempotent within a process). `forced` comes from `--backend`; otherwise
 * `OM2P_BACKEND`; otherwise the first that loads. Backends that do not load are skipped quietly and kept for
 * `unavailableBackends` (`info` lists them); `notice` receives what a loading backend has to say (webgpu: its adapter).
 */
export async function initBackend(
  forced?: string,
  notice: (line: string) => void = () => undefined,
): Promise<BackendName> {
  const request = forced ?? process.env.OM2P_BACKEND ?? undefined;
  if (chosen && (!request || request === chosen)) return chosen;
  if (request !== undefined && !isBackendName(request)) {
    throw new Error(`unknown backend '${request}' (choose one of ${BACKENDS.join(', ')})`);
  }
  const candidates: BackendName[] = request ? [request] : [...AUTOMATIC];
  for (const name of candidates) {
    try {
      await loaders[name].load(notice);
      const ok = await tf.setBackend(loaders[name].tfName);
      if (!ok) throw new Error('tf.setBackend returned false');
      await tf.ready();
      chosen = name;
      return name;
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      skipped.push({ name, reason });
      if (request) throw new Error(`backend ${name} was requested but could not be loaded: ${reason}`);
    }
  }
  throw new Error('no tfjs backend could be loaded');
}

/** The backends `initBackend` tried and could not load, with the first line of each reason. */
export function unavailableBackends(): readonly { name: BackendName; reason: string }[] {
  return skipped;
}

/** The backend chosen by `initBackend` (throws if none was). */
export function currentBackend(): BackendName {
  if (!chosen) throw new Error('initBackend() has not run');
  return chosen;
}

const require = createRequire(import.meta.url);

/** Backend, versions, commit and host: recorded in every result file. */
export function runEnvironment(): RunEnvironment {
  const pkg = require(PACKAGE_JSON) as { version: string };
  const commit = gitCommit();
  const adapter = currentBackend() === 'webgpu' ? webgpuAdapter() : undefined;
  return {
    backend: currentBackend(),
    ...(adapter === undefined ? {} : { adapter }),
    tfjsVersion: tf.version.tfjs,
    nodeVersion: process.version,
    harnessVersion: pkg.version,
    ...(commit === undefined ? {} : { gitCommit: commit }),
    host: { cores: navigatorCores(), platform: process.platform, arch: process.arch },
  };
}

function navigatorCores(): number {
  return require('node:os').availableParallelism?.() ?? require('node:os').cpus().length;
}
