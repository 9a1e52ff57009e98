/**
 * Where the package's own files are — the one module that knows both layouts it runs from:
 * - a checkout: TypeScript run through tsx (`bin/om2p-bench.js`), packages from `node_modules`;
 * - the offline bundle `npm run bundle` writes (`bench/bundle/build.ts`): JavaScript built by esbuild into `lib/`, the
 *   wasm binaries in `wasm/`, no `node_modules`. `lib/` sits one level below the bundle's root as `harness/` does below
 *   the checkout's, so the root is `..` from here in both, and the data files keep their repository paths under it.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Replaced by `true` when esbuild builds the bundle (its `define`); never defined in a checkout. */
declare const OM2P_BUNDLE: boolean;

/** Whether this code runs from the bundle. */
export const BUNDLED: boolean = typeof OM2P_BUNDLE !== 'undefined' && OM2P_BUNDLE;

/** The package root: the folder holding package.json, schemas/, results/*.json (the checkout's or the bundle's). */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The bundle's folders and files, relative to its root (the builder writes them, the code below reads them). */
export const BUNDLE_LAYOUT = {
  /** esbuild's output: one `<entry>.mjs` per entry point and the chunks they share. */
  lib: 'lib',
  /** tfjs-backend-wasm's and MuJoCo's `.wasm` files. */
  wasm: 'wasm',
  /** The Node binary the launcher runs (shipped xz-compressed, unpacked on first launch). */
  node: 'runtime/node',
  /**
   * dawn.node: the `webgpu` package loads `dist/<platform>-<arch>/dawn.node` beside its own module, which the bundle
   * inlines into `lib/`, so the addon goes there (linux-x64 only: the bundle targets linux-x64 GPU nodes).
   */
  dawn: 'lib/dist/linux-x64/dawn.node',
} as const;

/** Entry points besides the CLI that run in their own process or thread: source file in a checkout, `lib/<name>.mjs` bundled. */
export const ENTRIES = {
  'cell-worker': 'harness/run/worker.ts',
  'matd3-worker': 'harness/data/matd3-worker.ts',
} as const;

export type EntryName = keyof typeof ENTRIES;

/** The file to start for entry `name`. */
export function entryPath(name: EntryName): string {
  return join(PACKAGE_ROOT, BUNDLED ? join(BUNDLE_LAYOUT.lib, `${name}.mjs`) : ENTRIES[name]);
}

/** Node options a child process needs to run an entry: tsx's loader in a checkout, nothing for the bundle's JavaScript. */
export const CHILD_EXEC_ARGV: readonly string[] = BUNDLED ? [] : ['--import', 'tsx'];

/** Source for `new Worker(source, { eval: true })` that runs entry `name` (in a checkout, through tsx as the CLI does). */
export function workerThreadSource(name: EntryName): string {
  const url = JSON.stringify(pathToFileURL(entryPath(name)).href);
  return BUNDLED ? `import(${url})` : `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${url}); })`;
}

/** `.wasm` files of the bundle; in a checkout each package finds its own (undefined). */
export function bundledWasm(file: string): string | undefined {
  return BUNDLED ? join(PACKAGE_ROOT, BUNDLE_LAYOUT.wasm, file) : undefined;
}

/** The folder tfjs-backend-wasm's binaries are read from (`setWasmPaths` wants a trailing slash); undefined in a checkout. */
export function tfjsWasmPrefix(): string | undefined {
  return BUNDLED ? `${join(PACKAGE_ROOT, BUNDLE_LAYOUT.wasm)}/` : undefined;
}

/** Files kept at their repository path in the bundle: schemas, the matrix specs, the update-regression fixture. */
export const SCHEMA_DIR = join(PACKAGE_ROOT, 'schemas');
export const PACKAGE_JSON = join(PACKAGE_ROOT, 'package.json');
export const UPDATE_LOSSES_FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'update-losses.json');
