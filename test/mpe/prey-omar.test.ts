/** OMAR's prey checkpoints against the PyTorch-computed vectors in ../shared/reference/omar-prey (spec §1.5). */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadOmarPrey, preyNetworkFromCheckpoint } from '../../envs/mpe/prey-omar.ts';
import { readLegacyTorch } from '../../envs/mpe/torch-legacy.ts';

const REFERENCE = new URL('../../../shared/reference/omar-prey/', import.meta.url).pathname;
const VECTORS = `${REFERENCE}vectors.json`;

interface Vectors {
  obs_dim: number;
  obs: number[][];
  raw_output: number[][];
  tanh_then_clamp: number[][];
  linear_then_clamp: number[][];
}

describe.skipIf(!existsSync(VECTORS))('OMAR prey checkpoints', () => {
  const vectors = existsSync(VECTORS) ? (JSON.parse(readFileSync(VECTORS, 'utf8')) as Record<string, Vectors>) : {};

  describe.each(['simple_tag', 'simple_world'])('%s', (env) => {
    const path = `${REFERENCE}${env}.pretrained_adv_model.pt`;
    const v = vectors[env];

    it('reads the prey as agent_params[-1].policy with the task’s observation size', () => {
      const net = preyNetworkFromCheckpoint(readLegacyTorch(new Uint8Array(readFileSync(path))), path);
      expect(net.obsDim).toBe(v.obs_dim);
      expect(net.layers.map((l) => [l.inDim, l.outDim])).toEqual([[v.obs_dim, 64], [64, 64], [64, 2]]);
    });

    it.each([
      ['raw output', 'raw_output', 'tanh'],
      ['tanh then clamp', 'tanh_then_clamp', 'tanh'],
      ['linear then clamp', 'linear_then_clamp', 'linear'],
    ] as const)('matches PyTorch: %s', async (_label, key, head) => {
      const prey = await loadOmarPrey(path, head, v.obs_dim);
      const obs = new Float32Array(v.obs.flat());
      const batch = v.obs.length;
      let got: ArrayLike<number>;
      if (key === 'raw_output') got = prey.raw(obs, batch);
      else {
        got = new Float32Array(batch * 2);
        prey.act(obs, batch, got as Float32Array);
      }
      v[key].flat().forEach((expected, k) => expect(got[k]).toBeCloseTo(expected, key === 'raw_output' ? 12 : 6));
    });

    it('is named omar (tanh) or omar-linear in task ids', async () => {
      expect((await loadOmarPrey(path, 'tanh', v.obs_dim)).id).toBe('omar');
      expect((await loadOmarPrey(path, 'linear', v.obs_dim)).id).toBe('omar-linear');
    });

    it('refuses a task whose prey observation has another size', async () => {
      await expect(loadOmarPrey(path, 'tanh', v.obs_dim + 8)).rejects.toThrow(/observes/);
    });
  });
});

describe('legacy torch reader', () => {
  it('rejects a file without the legacy magic number', () => {
    expect(() => readLegacyTorch(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), 'x.pt')).toThrow(/magic/);
  });
});
