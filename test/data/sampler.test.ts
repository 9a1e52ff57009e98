import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSampler } from '../../harness/data/sampler.ts';
import { createRng } from '../../contracts/rng.ts';
import type { AgentBatch, Dataset } from '../../contracts/types.ts';
import { useBackend } from '../helpers/backend.ts';
import { makeAgents } from './fixtures.ts';

const ROWS = 50;

/** Agent i's obs row r column c = 1000·i + 10·r + c (acts and rews alike); next obs = obs + 0.5; dones = r mod 2. */
function encodedDataset(): Dataset {
  const agents = makeAgents(ROWS, [3, 2, 4], [2, 2, 1], (i, r, c, field) => 1000 * i + 10 * r + c + (field === 'nextObs' ? 0.5 : 0));
  agents.forEach((a) => a.dones.forEach((_, r) => (a.dones[r] = r % 2)));
  return {
    env: 'toy', level: 'expert', size: ROWS, agents,
    obsMean: [], obsStd: [], reference: { random: 0, expert: 1, source: 'test' }, sha256: 'x',
  };
}

/** The dataset row of each batch entry, decoded from one field of environment agent `agent`. */
function decodeRows(tensor: tf.Tensor2D, agent: number, offset = 0): number[] {
  return (tensor.arraySync() as number[][]).map((row) => (row[0] - offset - 1000 * agent) / 10);
}

function disposeAll(batches: AgentBatch[]): void {
  batches.forEach((b) => Object.values(b).forEach((t) => t.dispose()));
}

beforeAll(() => useBackend('cpu'));

describe('createSampler', () => {
  it('draws one set of rows per minibatch, shared by every field of every learned agent', () => {
    const sampler = createSampler(encodedDataset(), [0, 2], 16, createRng(1));
    for (let step = 0; step < 5; step++) {
      const before = tf.memory().numTensors;
      const batches = sampler.next();
      expect(tf.memory().numTensors - before).toBe(10);
      const [b0, b2] = batches;
      expect([b0.obs.shape, b0.acts.shape, b0.rews.shape, b0.nextObs.shape, b0.dones.shape]).toEqual([[16, 3], [16, 2], [16, 1], [16, 3], [16, 1]]);
      expect([b2.obs.shape, b2.acts.shape, b2.rews.shape, b2.nextObs.shape, b2.dones.shape]).toEqual([[16, 4], [16, 1], [16, 1], [16, 4], [16, 1]]);
      const rows = decodeRows(b0.obs, 0);
      expect(rows.every((r) => Number.isInteger(r) && r >= 0 && r < ROWS)).toBe(true);
      for (const [tensor, agent, offset] of [
        [b0.acts, 0, 0], [b0.rews, 0, 0], [b0.nextObs, 0, 0.5], [b2.obs, 2, 0], [b2.acts, 2, 0], [b2.rews, 2, 0], [b2.nextObs, 2, 0.5],
      ] as const) {
        expect(decodeRows(tensor, agent, offset)).toEqual(rows);
      }
      // Whole rows travel together: the last obs column of agent 2 is column 0 + 3.
      expect((b2.obs.arraySync() as number[][]).map((row) => row[3] - row[0])).toEqual(rows.map(() => 3));
      expect((b2.dones.arraySync() as number[][]).map((row) => row[0])).toEqual(rows.map((r) => r % 2));
      disposeAll(batches);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('covers the rows uniformly and repeats with the same seed', () => {
    const draw = (seed: number) => {
      const sampler = createSampler(encodedDataset(), [1], 100, createRng(seed));
      const counts = new Array(ROWS).fill(0);
      const sequence: number[] = [];
      for (let step = 0; step < 50; step++) {
        const batches = sampler.next();
        const rows = decodeRows(batches[0].obs, 1);
        for (const r of rows) counts[r]++;
        sequence.push(...rows.slice(0, 3));
        disposeAll(batches);
      }
      return { counts, sequence };
    };
    const first = draw(9);
    // 5000 draws over 50 rows: 100 expected per row, sd ≈ 9.9; every row within ±50 is a loose bound.
    expect(first.counts.every((c) => c > 50 && c < 150)).toBe(true);
    expect(draw(9).sequence).toEqual(first.sequence);
    expect(draw(10).sequence).not.toEqual(first.sequence);
  });

  it('rejects learned agents the dataset lacks and empty batches', () => {
    expect(() => createSampler(encodedDataset(), [3], 4, createRng(0))).toThrow(/learned agent 3/);
    expect(() => createSampler(encodedDataset(), [0], 0, createRng(0))).toThrow(/batch size/);
  });
});
