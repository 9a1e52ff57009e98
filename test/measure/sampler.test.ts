/**
 * The action spread and its observations (harness/measure/sampler.ts) on agents whose spread is known by construction.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import { actionSpread, spreadObservations } from '../../harness/measure/sampler.ts';
import type { Agent, Dataset } from '../../contracts/types.ts';

/** An agent acting `mean(o) + σ_k·ε` per agent k and action dimension, ε ~ N(0, 1) from its own stream (σ = 0: deterministic). */
function gaussianAgent(sigmas: number[], obsDims: number[], actDim: number, rng = createRng(5)): Agent {
  return {
    networkEvalsPerAction: 1,
    act: async (obs, { deterministic }) =>
      obs.map((o, k) => {
        const rows = o.length / obsDims[k];
        return Float32Array.from({ length: rows * actDim }, (_, i) => {
          const row = Math.floor(i / actDim);
          const mean = 0.1 * o[row * obsDims[k]] - 0.05 * (i % actDim);
          return deterministic ? mean : mean + sigmas[k] * rng.normal();
        });
      }),
    update: async () => ({}),
    save: async () => ({}),
    load: () => undefined,
    dispose: () => undefined,
  };
}

/** E[s] / σ for the sample sd s (n − 1) of K normal draws: c4(K) = √(2/(K − 1))·Γ(K/2)/Γ((K − 1)/2); c4(32) = 0.99193. */
const C4_32 = 0.99193;

describe('actionSpread', () => {
  const obsDims = [3, 2];
  const obs = [Float32Array.from({ length: 256 * 3 }, (_, i) => (i % 7) - 3), Float32Array.from({ length: 256 * 2 }, (_, i) => (i % 5) / 5)];

  it('is exactly 0 for a policy without noise', async () => {
    expect(await actionSpread(gaussianAgent([0, 0], obsDims, 2), obs, obsDims, 32)).toEqual([0, 0]);
  });

  it('is σ (times c4 of the sd estimator) for actions mean + σ·ε, per agent', async () => {
    const [a, b] = await actionSpread(gaussianAgent([0.1, 0.25], obsDims, 2), obs, obsDims, 32);
    // 512 per-(observation, dimension) sds of relative sd ≈ 12.7 % each: their mean has a relative se of ≈ 0.6 %
    expect(Math.abs(a / (C4_32 * 0.1) - 1)).toBeLessThan(0.025);
    expect(Math.abs(b / (C4_32 * 0.25) - 1)).toBeLessThan(0.025);
  });

  it('refuses fewer than two draws', async () => {
    await expect(actionSpread(gaussianAgent([0, 0], obsDims, 2), obs, obsDims, 1)).rejects.toThrow(/at least 2 draws/);
  });
});

describe('spreadObservations', () => {
  // Row n of agent k's observations is [n, k, 1000 + n]: which row was taken can be read back from every agent.
  const size = 50;
  const dataset = {
    size,
    agents: [0, 1, 2].map((k) => ({ obs: Float32Array.from({ length: size * 3 }, (_, i) => [Math.floor(i / 3), k, 1000 + Math.floor(i / 3)][i % 3]) })),
  } as unknown as Dataset;

  it('takes whole dataset rows, the same rows for every learned agent, fixed by the stream', () => {
    const picked = spreadObservations(dataset, [0, 2], 40, createRng(9));
    expect(picked.map((o) => o.length)).toEqual([120, 120]);
    for (let n = 0; n < 40; n++) {
      const row = picked[0][3 * n];
      expect(Number.isInteger(row) && row >= 0 && row < size).toBe(true);
      expect(Array.from(picked[0].subarray(3 * n, 3 * n + 3))).toEqual([row, 0, 1000 + row]);
      expect(Array.from(picked[1].subarray(3 * n, 3 * n + 3))).toEqual([row, 2, 1000 + row]);
    }
    expect(spreadObservations(dataset, [0, 2], 40, createRng(9))).toEqual(picked);
    expect(new Set(Array.from({ length: 40 }, (_, n) => picked[0][3 * n])).size).toBeGreaterThan(20); // not one row repeated
  });
});
