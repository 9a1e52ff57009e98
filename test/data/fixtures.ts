/** Test fixtures for dataset tests: temporary folders removed after each test, and small transition sets. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { AgentTransitions, EnvSpec } from '../../contracts/types.ts';
import type { DatasetMeta } from '../../harness/data/write.ts';

/** Returns a function making fresh temporary folders, all removed after each test. */
export function useTempDirs(): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'om2p-data-'));
    made.push(dir);
    return dir;
  };
}

/**
 * Transitions whose every value encodes where it sits: `value(agent, row, column, field)`; by default
 * obs = 1000·agent + 10·row + column, so a test can tell which row of which agent it is looking at, and acts the same
 * divided by 10^4 (actions lie in [−1, 1]).
 */
export function makeAgents(
  rows: number,
  obsDims: number[],
  actDims: number[],
  value: (agent: number, row: number, column: number, field: string) => number = (i, r, c, field) => (1000 * i + 10 * r + c) / (field === 'acts' ? 1e4 : 1),
): AgentTransitions[] {
  const fill = (i: number, width: number, field: string) =>
    Float32Array.from({ length: rows * width }, (_, k) => value(i, Math.floor(k / width), k % width, field));
  return obsDims.map((obsDim, i) => ({
    obs: fill(i, obsDim, 'obs'),
    acts: fill(i, actDims[i], 'acts'),
    rews: fill(i, 1, 'rews'),
    nextObs: fill(i, obsDim, 'nextObs'),
    dones: new Float32Array(rows),
  }));
}

/** An EnvSpec literal for tests that need no registered environment. */
export function specOf(obsDims: number[], actDims: number[], taskId = 'toy[n=2]', episodeLength = 2): EnvSpec {
  return {
    name: 'toy',
    taskId,
    numAgents: obsDims.length,
    learnedAgents: [...obsDims.keys()],
    obsDims,
    actDims,
    episodeLength,
  };
}

/** Card metadata for a toy dataset. */
export function toyMeta(episodeReturns: number[], overrides: Partial<DatasetMeta> = {}): DatasetMeta {
  return {
    env: 'toy',
    envOptions: { n: 2 },
    taskId: 'toy[n=2]',
    level: 'expert',
    generator: { seed: 7 },
    episodeLength: 2,
    episodeReturns,
    reference: { random: 0, expert: 10, source: 'test' },
    ...overrides,
  };
}

/**
 * A .npy file written by hand, independently of harness/data/npy.ts: magic, version, header length, the header
 * dict padded with spaces to `align` bytes, then the little-endian payload.
 */
export function handWrittenNpy(version: 1 | 2, dict: string, payload: Uint8Array, align = 64): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  let header = dict;
  while ((prefix + header.length + 1) % align !== 0) header += ' ';
  header += '\n';
  const out = new Uint8Array(prefix + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let k = 0; k < header.length; k++) out[prefix + k] = header.charCodeAt(k);
  out.set(payload, prefix + header.length);
  return out;
}

/** A float64 C-order .npy file of `values` with `shape`, as NumPy writes OMAR's arrays. */
export function float64Npy(values: ArrayLike<number>, shape: number[]): Uint8Array {
  const payload = new Uint8Array(values.length * 8);
  const view = new DataView(payload.buffer);
  for (let k = 0; k < values.length; k++) view.setFloat64(8 * k, values[k], true);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return handWrittenNpy(1, `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`, payload);
}

/**
 * Writes an OMAR-layout seed folder of float64 files for agents with `obsDims`/`actDims` and `rows` rows:
 * obs = 1000·agent + 10·row + column + 0.125 (not exact in float32 beyond 2^24, fine here), rews = 0.5·row,
 * dones = 1 on the last row of every 25-step chunk of agent 0. Returns the folder.
 */
export function writeOmarFolder(folder: string, rows: number, obsDims: number[], actDims: number[]): string {
  mkdirSync(folder, { recursive: true });
  const matrix = (i: number, width: number, shift: number) =>
    Array.from({ length: rows * width }, (_, k) => 1000 * i + 10 * Math.floor(k / width) + (k % width) + shift);
  obsDims.forEach((obsDim, i) => {
    writeFileSync(`${folder}/obs_${i}.npy`, float64Npy(matrix(i, obsDim, 0.125), [rows, obsDim]));
    writeFileSync(`${folder}/next_obs_${i}.npy`, float64Npy(matrix(i, obsDim, 10.125), [rows, obsDim]));
    writeFileSync(`${folder}/acs_${i}.npy`, float64Npy(matrix(i, actDims[i], 0).map((v) => v / 1e4), [rows, actDims[i]]));
    writeFileSync(`${folder}/rews_${i}.npy`, float64Npy(Array.from({ length: rows }, (_, r) => 0.5 * r), [rows, 1]));
    const dones = Array.from({ length: rows }, (_, r) => (i === 0 && r % 25 === 24 ? 1 : 0));
    writeFileSync(`${folder}/dones_${i}.npy`, float64Npy(dones, [rows]));
  });
  return folder;
}
