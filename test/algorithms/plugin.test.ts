import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { algorithmNames, getAlgorithm, loadPlugin } from '../../harness/registry.ts';
import { createRng } from '../../contracts/rng.ts';
import { validationErrors } from '../../harness/schema.ts';
import { useBackend } from '../helpers/backend.ts';
import { actionsAtObs, banditBatch, singleAgentSpace, train } from '../helpers/synthetic-batches.ts';

/** A self-contained plugin (no imports): acts with the running mean of the dataset actions it has seen. */
const MEAN_ACTION_PLUGIN = `
export const meanAction = {
  name: 'mean-action',
  description: 'acts with the mean dataset action seen so far',
  defaults: { batchSize: 8 },
  presets: { cpu: {}, paper: {} },
  schema: { type: 'object', additionalProperties: false, properties: { batchSize: { type: 'integer', minimum: 1 } } },
  create(space: { actDims: number[] }) {
    const sums = space.actDims.map((d) => new Float64Array(d));
    let rows = 0;
    const mean = (i: number) => Float32Array.from(sums[i], (s) => (rows === 0 ? 0 : s / rows));
    return {
      networkEvalsPerAction: 0,
      update(batch: { acts: { dataSync(): Float32Array; shape: number[] } }[]) {
        batch.forEach((b, i) => b.acts.dataSync().forEach((v, k) => (sums[i][k % space.actDims[i]] += v)));
        rows += batch[0].acts.shape[0];
        return { 'actor/rows': rows };
      },
      act: (obs: Float32Array[]) =>
        obs.map((o, i) => {
          const m = mean(i);
          const n = o.length / 3;
          return Float32Array.from({ length: n * m.length }, (_, k) => m[k % m.length]);
        }),
      save: () => ({}),
      load: () => {},
      dispose: () => {},
    };
  },
};
`;

describe('plugins', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('examples/plugin-algorithm.ts registers noisy-bc, whose config validates and which trains with finite losses', async () => {
    await useBackend('wasm');
    expect(algorithmNames()).not.toContain('noisy-bc');
    expect(await loadPlugin('examples/plugin-algorithm.ts')).toEqual(['noisy-bc']);
    const def = getAlgorithm('noisy-bc');
    expect(validationErrors(def.schema, { ...def.defaults, noiseStd: -1 })[0].path).toBe('/noiseStd');
    expect(validationErrors(def.schema, { ...def.defaults, noise: 0.1 })).toEqual([{ path: '/noise', reason: 'unknown key' }]);
    const rng = createRng(1);
    const agent = def.create(singleAgentSpace(2), { ...def.defaults, hidden: [16], batchSize: 16 }, rng.fork('init'));
    const batches = rng.fork('batches');
    for (let u = 0; u < 5; u++) {
      const losses = await train(agent, 1, () => banditBatch(batches, 16, [0.6, -0.4]));
      expect(Object.keys(losses)).toEqual(['actor/bc']);
      expect(Number.isFinite(losses['actor/bc'])).toBe(true);
    }
    for (const x of await actionsAtObs(agent, 32, false)) expect(Math.abs(x)).toBeLessThanOrEqual(1);
    agent.dispose();
  });

  it('a plugin file written to a temporary folder is loaded and used', async () => {
    await useBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'om2p-plugin-'));
    const file = join(dir, 'mean-action.ts');
    writeFileSync(file, MEAN_ACTION_PLUGIN);
    expect(await loadPlugin(file)).toEqual(['mean-action']);
    const agent = getAlgorithm('mean-action').create(singleAgentSpace(2), { batchSize: 8 }, createRng(1));
    const batches = createRng(2);
    const constantActions = (value: number) => () => {
      const batch = banditBatch(batches, 8, [0, 0]);
      batch.acts.dispose();
      return { ...batch, acts: tf.fill([8, 2], value) as tf.Tensor2D };
    };
    await train(agent, 3, constantActions(0.3));
    await train(agent, 1, constantActions(-0.9));
    // 24 rows at 0.3 and 8 at −0.9: mean (24·0.3 − 8·0.9) / 32 = 0.
    await train(agent, 4, constantActions(0.5));
    // then 32 more at 0.5: mean (0 + 32·0.5) / 64 = 0.25.
    for (const x of await actionsAtObs(agent, 3, true)) expect(x).toBeCloseTo(0.25, 5);
  });

  it('a file that exports no definition is an error naming the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'om2p-plugin-'));
    const file = join(dir, 'empty.ts');
    writeFileSync(file, 'export const answer = 42;\n');
    await expect(loadPlugin(file)).rejects.toThrow(/empty\.ts exports no algorithm or environment definition/);
  });
});
