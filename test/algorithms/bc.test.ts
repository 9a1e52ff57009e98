import { describe, expect, it } from 'vitest';
import { bc, type BcConfig } from '../../algorithms/bc.ts';
import { createRng } from '../../contracts/rng.ts';
import { useBackend } from '../helpers/backend.ts';
import { describeAlgorithmContract } from '../helpers/algorithm-contract.ts';
import { actionsAtObs, banditBatch, bimodalBatch, singleAgentSpace, train } from '../helpers/synthetic-batches.ts';

const small: Partial<BcConfig> = { hidden: [64, 64], learningRate: 1e-3, batchSize: 64 };

describeAlgorithmContract({
  def: bc,
  config: small,
  space: singleAgentSpace(2),
  makeBatch: (rng) => banditBatch(rng, 32, [0.6, -0.4]),
  typedKey: 'learningRate',
});

describe('bc on a bimodal dataset', () => {
  it('lands between the modes ±0.8: near the data mean 0, far from both modes', async () => {
    await useBackend('wasm');
    const rng = createRng(11);
    const agent = bc.create(singleAgentSpace(1), { ...bc.defaults, ...small }, rng.fork('init'));
    const batches = rng.fork('batches');
    const losses = await train(agent, 300, () => bimodalBatch(batches, 64, 0.8));
    // MSE to ±0.8 is minimised by the mean 0, where it equals 0.8² = 0.64.
    expect(losses['actor/bc']).toBeGreaterThan(0.55);
    const action = (await actionsAtObs(agent, 1, true))[0];
    expect(Math.abs(action)).toBeLessThan(0.15);
    expect(Math.min(Math.abs(action - 0.8), Math.abs(action + 0.8))).toBeGreaterThan(0.6);
    agent.dispose();
  });
});
