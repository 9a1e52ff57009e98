/** Where datasets and run outputs live. */
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../contracts/package-files.ts';

export { PACKAGE_ROOT };

/** Data directory: `--data-dir`, else `OM2P_DATA_DIR`, else `<package>/.om2p/datasets`. */
export function dataDir(option?: string): string {
  return resolve(option ?? process.env.OM2P_DATA_DIR ?? resolve(PACKAGE_ROOT, '.om2p', 'datasets'));
}

/**
 * Default output folder of a run named `name` (a matrix, a benchmark): `<package>/runs/<name>`, git-ignored, so a run never
 * writes into the committed reference outputs under `results/reference/` and a fresh clone really trains.
 */
export function runDir(name: string): string {
  return resolve(PACKAGE_ROOT, 'runs', name);
}
