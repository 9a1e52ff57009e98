/**
 * The MuJoCo WebAssembly module (`@mujoco/mujoco`, single-threaded build), instantiated once per process and
 * shared by every environment: instantiating compiles a 2 MB WASM binary and reserves its own heap.
 */
import loadMujoco, { type MainModule } from '@mujoco/mujoco';
import { bundledWasm } from '../../contracts/package-files.ts';

export type { MainModule, MjData, MjModel } from '@mujoco/mujoco';

let loading: Promise<MainModule> | undefined;

/** The process-wide MuJoCo module; the first call loads it, later calls return the same instance. */
export function mujocoModule(): Promise<MainModule> {
  // bundled, the module cannot find its binary beside itself (`new URL('mujoco.wasm', import.meta.url)` is lib/)
  const wasm = bundledWasm('mujoco.wasm');
  loading ??= loadMujoco(wasm === undefined ? undefined : { locateFile: () => wasm });
  return loading;
}
