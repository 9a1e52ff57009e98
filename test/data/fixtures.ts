/** Test fixtures for dataset tests: temporary folders removed after each test, and small transition sets. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { AgentTransitions, EnvSpec } from '../../harness/types.ts';
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
 * obs = 1000·agent + 10·row + column, so a test can tell which row of which agent it is looking at.
 */
export function makeAgents(
  rows: number,
  obsDims: number[],
  actDims: number[],
  value: (agent: number, row: number, column: number, field: string) => number = (i, r, c) => 1000 * i + 10 * r + c,
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
