import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { bc } from '../../algorithms/bc.ts';
import { td3bc, type Td3BcConfig } from '../../algorithms/td3bc.ts';
import { createRng } from '../../contracts/rng.ts';
import type { AgentSpace } from '../../contracts/types.ts';
import { useBackend } from '../helpers/backend.ts';
import { describeAlgorithmContract } from '../helpers/algorithm-contract.ts';
import { actionsAtObs, banditBatch, singleAgentSpace, train } from '../helpers/synthetic-batches.ts';

const small: Partial<Td3BcConfig> = { hidden: [64, 64], learningRate: 1e-3, batchSize: 64 };

describeAlgorithmContract({
  def: td3bc,
  config: small,
  space: singleAgentSpace(2),
  makeBatch: (rng) => banditBatch(rng, 16, [0.6, -0.4]),
  typedKey: 'alpha',
});

describe('td3bc behaviour', () => {
  it('moves toward a* on a one-step bandit with uniform data, where bc stays at the data mean', async () => {
    await useBackend('wasm');
    const aStar = [0.6, -0.4];
    const finalAction = async (def: typeof td3bc | typeof bc, config: object) => {
      const rng = createRng(4);
      const agent = def.create(singleAgentSpace(2), { ...def.defaults, ...config } as never, rng.fork('init'));
      const batches = rng.fork('batches');
      await train(agent, 200, () => banditBatch(batches, 64, aStar));
      const a = Array.from(await actionsAtObs(agent, 1, true));
      agent.dispose();
      return a;
    };
    const distance = (a: number[]) => Math.hypot(a[0] - aStar[0], a[1] - aStar[1]);
    const cloned = await finalAction(bc, small);
    const improved = await finalAction(td3bc, small);
    // BC regresses onto the uniform data's mean 0, at distance |a*| = √0.52 ≈ 0.72 from a*.
    expect(distance(cloned)).toBeGreaterThan(0.55);
    expect(distance(improved)).toBeLessThan(0.5 * distance(cloned));
  });

  it('normalises observations with the dataset mean and std + 1e-3: a shifted, scaled dataset gives the same losses', async () => {
    await useBackend('cpu');
    // Observations o' = m + s·o with dataset statistics (mean m, std s − 1e-3) normalise to (o' − m)/(s − 1e-3 + 1e-3) = o:
    // both runs see the same inputs (up to float32 rounding of the statistics).
    const shift = [3, -2, 10];
    const scale = [0.5, 4, 2];
    const shifted: AgentSpace = {
      ...singleAgentSpace(2),
      obsMean: [Float32Array.from(shift)],
      obsStd: [Float32Array.from(scale, (s) => s - 1e-3)],
    };
    const run = async (space: AgentSpace, transform: (o: tf.Tensor2D) => tf.Tensor2D) => {
      const rng = createRng(6);
      const agent = td3bc.create(space, { ...td3bc.defaults, ...small }, rng.fork('init'));
      const batches = rng.fork('batches');
      const history = [];
      for (let k = 0; k < 3; k++) {
        history.push(
          await train(agent, 1, () => {
            const b = banditBatch(batches, 16, [0.6, -0.4]);
            const [obs, nextObs] = [transform(b.obs), transform(b.nextObs)];
            tf.dispose([b.obs, b.nextObs]);
            return { ...b, obs, nextObs };
          }),
        );
      }
      agent.dispose();
      return history;
    };
    const plain = await run(singleAgentSpace(2), (o) => o.clone());
    const moved = await run(shifted, (o) => tf.tidy(() => tf.add(tf.mul(o, scale), shift) as tf.Tensor2D));
    plain.forEach((losses, u) => {
      expect(Object.keys(moved[u]).sort()).toEqual(Object.keys(losses).sort());
      for (const key of Object.keys(losses)) {
        expect(Math.abs(moved[u][key] - losses[key])).toBeLessThanOrEqual(1e-2 * Math.max(1, Math.abs(losses[key])));
      }
    });
  });
});
