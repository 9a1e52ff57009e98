/** Where datasets and results live. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The package root (the folder holding package.json). */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Data directory: `--data-dir`, else `OM2P_DATA_DIR`, else `<package>/.om2p/datasets`. */
export function dataDir(option?: string): string {
  return resolve(option ?? process.env.OM2P_DATA_DIR ?? resolve(PACKAGE_ROOT, '.om2p', 'datasets'));
}

/** Default results directory for a matrix named `name`. */
export function resultsDir(name: string): string {
  return resolve(PACKAGE_ROOT, 'results', name);
}
